package dev.mlops.registry;

import dev.mlops.Created;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The model registry: models, their numbered versions, aliases, approvals and governance records. Obtained from
 * {@code Mlops.registry()}; thread-safe.
 *
 * <p>Every change is one audit event in the chain, with the actor. Access control ({@code dev.mlops.security}) and
 * the {@link RegistryPolicy} are enforced here, the same for every store; a denied attempt fails with
 * {@code PERMISSION_DENIED} and is audited as {@code access.denied}.
 *
 * <p>Errors: {@code INVALID_ARGUMENT} naming the argument (names, alias names, reasons, digests);
 * {@code NOT_FOUND} for an unknown model, version or alias; {@code ALREADY_EXISTS} for a model name that differs
 * only in case from an existing one; {@code CONFLICT} for a decision already taken, a stale alias expectation, a
 * version that is not {@code READY}, or an alias guard that is not met; {@code PERMISSION_DENIED}; {@code INTEGRITY}
 * when artifact bytes do not match their declared digest.
 */
public interface ModelRegistry {

    /** Creates a model, or returns the existing one of that exact name ({@code created = false}). */
    Created<RegisteredModel> createModel(String name, String description, Map<String, String> tags);

    Optional<RegisteredModel> getModel(String name);

    /** The model; {@code NOT_FOUND} when there is none. */
    RegisteredModel model(String name);

    /**
     * Models matching {@code query}, by name. With an access policy, models the principal may not read are left out
     * of each page, so a page may hold fewer items than asked (even none) while a next page token is given.
     */
    Page<RegisteredModel> searchModels(ModelQuery query, PageRequest page);

    /**
     * Replaces the model's governance record whole (audited with the new record). With an access policy, changing the
     * business owner or the approver role needs {@code ADMIN} on the model, other fields {@code WRITE}.
     */
    RegisteredModel setGovernance(String name, Governance governance);

    RegisteredModel setDescription(String name, String description);

    /** Sets tags on the model (overwriting) and removes the keys in {@code remove}. */
    RegisteredModel updateTags(String name, Map<String, String> set, Set<String> remove);

    /**
     * Starts registering a new version of {@code modelName} (created if it does not exist). Nothing is stored until
     * {@link VersionRegistration#upload}.
     */
    VersionRegistration newVersion(String modelName);

    Optional<ModelVersion> getVersion(String modelName, int version);

    /** The version a reference names ({@code NAME/3}, {@code NAME@production}, with or without {@code model:}). */
    ModelVersion resolve(String reference);

    /** The version a reference names. */
    ModelVersion resolve(ModelRef reference);

    /**
     * Versions matching {@code query}, by model name and number; pages across models may be short, as for
     * {@link #searchModels}.
     */
    Page<ModelVersion> searchVersions(VersionQuery query, PageRequest page);

    /** Sets tags on a version (overwriting) and removes the keys in {@code remove}. */
    ModelVersion updateVersionTags(String modelName, int version, Map<String, String> set, Set<String> remove);

    /**
     * Approves a version whose approval is {@code PENDING} and whose status is {@code READY}. Requires the
     * {@code APPROVE} permission, the model's approver role when its governance record names one and an access
     * policy is configured, and, under the four-eyes rule, an approver other than the registrant.
     *
     * @param reason why (required, not blank)
     */
    ModelVersion approve(String modelName, int version, String reason);

    /** Rejects a {@code PENDING} version; a rejected version can never get a guarded alias. */
    ModelVersion reject(String modelName, int version, String reason);

    /**
     * Points {@code alias} at {@code version}, moving it when it exists. Alias names: 1 to 64 characters, letters,
     * digits, {@code _}, {@code -} and {@code .}, starting with a letter (so never numeric-only, which would read as
     * a version number). The version must be {@code READY}; a guarded alias also applies its {@link AliasGuard}.
     */
    AliasChange setAlias(String modelName, String alias, int version);

    /**
     * Like {@link #setAlias(String, String, int)}, but only when the alias still points at {@code expectedCurrent}
     * (0: only when the alias does not exist yet); otherwise {@code CONFLICT}, naming the actual target.
     */
    AliasChange setAlias(String modelName, String alias, int version, int expectedCurrent);

    /** Deletes an alias (guarded aliases need the guard's role). */
    AliasChange deleteAlias(String modelName, String alias);

    /** Deletes a version no alias points at; its number is never reused. */
    void deleteVersion(String modelName, int version);

    /**
     * A resolver for services: turns {@code NAME@ALIAS} (or {@code NAME/VERSION}) into a version and its artifact on
     * every request, from a cache refreshed every {@code refreshInterval}, invalidated at once by changes made
     * through this registry, and answering with the last known answer for up to {@code maxStaleness} when the store
     * fails.
     */
    ModelResolver resolver(Duration refreshInterval, Duration maxStaleness);

    /** {@link #resolver(Duration, Duration)} with a 30-second refresh and 10 minutes of staleness on errors. */
    ModelResolver resolver();
}
