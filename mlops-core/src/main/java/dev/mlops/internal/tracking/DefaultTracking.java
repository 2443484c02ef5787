package dev.mlops.internal.tracking;

import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.internal.Context;
import dev.mlops.tracking.*;
import java.util.List;
import java.util.Optional;

/** PLACEHOLDER: replaced by the real implementation of {@link Tracking}. */
public class DefaultTracking implements Tracking {
    public DefaultTracking(Context context) {
    }

    public void closeAll() {
    }

    @Override
    public ActiveRun start(String jobName) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public RunStarter starter(String jobName) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public <T> T run(String jobName, RunBody<T> body) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public Optional<Run> get(String runId) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public Page<Run> search(RunQuery query, PageRequest page) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public Page<MetricPoint> metricHistory(String runId, String key, PageRequest page) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public List<Run> staleRuns() {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public List<Run> abortStaleRuns() {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public Run abort(String runId, String reason) {
        throw new UnsupportedOperationException("placeholder");
    }
}
