package dev.mlops.registry;

/**
 * The ownership and governance record of a model: what a team settles before the model goes to production. Every
 * component may be null (not yet decided); {@link #EMPTY} has none. Stored with the model; every change is audited.
 *
 * @param businessOwner     who answers for what the model decides (a person or team)
 * @param technicalOwner    who keeps it running
 * @param intendedUse       what it is for, and what it is not for
 * @param serviceLevel      the service level it must meet (for example {@code "p99 < 50 ms, 99.9% available"})
 * @param retrainingPolicy  how and how often it is retrained: a reference to its retraining policy
 * @param approverRole      the role whose members decide promotions (approve versions)
 * @param confidentiality   how confidential the model is
 * @param codeShareable     whether its code may be shared outside the owning team
 */
public record Governance(String businessOwner, String technicalOwner, String intendedUse, String serviceLevel,
        String retrainingPolicy, String approverRole, Confidentiality confidentiality, Boolean codeShareable) {

    /** A record with nothing decided. */
    public static final Governance EMPTY = new Governance(null, null, null, null, null, null, null, null);

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this record's values. */
    public Builder toBuilder() {
        return new Builder().businessOwner(businessOwner).technicalOwner(technicalOwner).intendedUse(intendedUse)
                .serviceLevel(serviceLevel).retrainingPolicy(retrainingPolicy).approverRole(approverRole)
                .confidentiality(confidentiality).codeShareable(codeShareable);
    }

    /** Builds a {@link Governance}; not thread-safe. Every value may be null (undecided). */
    public static final class Builder {
        private String businessOwner;
        private String technicalOwner;
        private String intendedUse;
        private String serviceLevel;
        private String retrainingPolicy;
        private String approverRole;
        private Confidentiality confidentiality;
        private Boolean codeShareable;

        private Builder() {
        }

        public Builder businessOwner(String businessOwner) {
            this.businessOwner = businessOwner;
            return this;
        }

        public Builder technicalOwner(String technicalOwner) {
            this.technicalOwner = technicalOwner;
            return this;
        }

        public Builder intendedUse(String intendedUse) {
            this.intendedUse = intendedUse;
            return this;
        }

        public Builder serviceLevel(String serviceLevel) {
            this.serviceLevel = serviceLevel;
            return this;
        }

        public Builder retrainingPolicy(String retrainingPolicy) {
            this.retrainingPolicy = retrainingPolicy;
            return this;
        }

        public Builder approverRole(String approverRole) {
            this.approverRole = approverRole;
            return this;
        }

        public Builder confidentiality(Confidentiality confidentiality) {
            this.confidentiality = confidentiality;
            return this;
        }

        public Builder codeShareable(Boolean codeShareable) {
            this.codeShareable = codeShareable;
            return this;
        }

        public Governance build() {
            return new Governance(businessOwner, technicalOwner, intendedUse, serviceLevel, retrainingPolicy,
                    approverRole, confidentiality, codeShareable);
        }
    }
}
