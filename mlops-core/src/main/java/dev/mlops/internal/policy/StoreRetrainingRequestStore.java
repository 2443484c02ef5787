package dev.mlops.internal.policy;

import dev.mlops.ConflictException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.internal.Context;
import dev.mlops.policy.RetrainingRequest;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.RetrainingRequestEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A {@link RetrainingRequestStore} over the metadata store of an {@code Mlops} instance ({@code Mlops.retraining()}):
 * each request as its JSON ({@link RetrainingRequestJson}) with its queried fields as columns, created and changed by
 * the store's create-if-absent and compare-and-set on (status, attempt), each write together with its audit event
 * ({@link RetrainingRequestJson#event}: action {@code retraining.<status>}, by the instance's actor at its clock) in
 * one transaction. Thread-safe (stateless apart from the store).
 */
public final class StoreRetrainingRequestStore implements RetrainingRequestStore {
    private final Context context;

    public StoreRetrainingRequestStore(Context context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    @Override
    public boolean create(RetrainingRequest request) {
        return context.store().createRetrainingRequest(entry(request),
                audit(RetrainingRequestJson.event(Optional.empty(), request))).created();
    }

    @Override
    public boolean transition(RetrainingRequest expected, RetrainingRequest next) {
        if (!expected.idempotencyKey().equals(next.idempotencyKey())) {
            throw new IllegalArgumentException("a transition keeps the request's key");
        }
        try {
            context.store().updateRetrainingRequest(entry(next), expected.status().id(), expected.attempt(),
                    audit(RetrainingRequestJson.event(Optional.of(expected), next)));
            return true;
        } catch (ConflictException | NotFoundException e) {
            return false; // another caller moved it on first (or it was never created): nothing was written
        }
    }

    @Override
    public Optional<RetrainingRequest> get(String idempotencyKey) {
        return context.store().getRetrainingRequest(idempotencyKey).map(e -> RetrainingRequestJson.read(e.body()));
    }

    @Override
    public List<RetrainingRequest> list(String policy, String model, Set<RetrainingRequest.Status> statuses) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(model, "model");
        Set<String> ids = statuses.stream().map(RetrainingRequest.Status::id).collect(Collectors.toSet());
        List<RetrainingRequest> all = new ArrayList<>();
        PageRequest page = PageRequest.first(PageRequest.MAX_PAGE_SIZE);
        while (true) {
            Page<RetrainingRequestEntry> p = context.store().listRetrainingRequests(policy, model, ids, page);
            for (RetrainingRequestEntry e : p.items()) {
                all.add(RetrainingRequestJson.read(e.body()));
            }
            if (p.nextPageToken() == null) {
                return List.copyOf(all);
            }
            page = page.next(p);
        }
    }

    /** The SPI's form of {@code r}: its JSON and the fields a store queries. */
    static RetrainingRequestEntry entry(RetrainingRequest r) {
        return new RetrainingRequestEntry(r.idempotencyKey(), r.policy(), r.model(), r.windowId(), r.status().id(),
                r.attempt(), r.runId().orElse(null), r.error().orElse(null), r.requestedAt(), r.updatedAt(),
                RetrainingRequestJson.write(r));
    }

    private PendingAuditEvent audit(RetrainingRequestJson.Event e) {
        return new PendingAuditEvent(context.now(), context.actor(), e.action(), e.subject(), e.data());
    }
}
