package dev.mlops.drift;

/** What a stored drift report holds (see {@link StoredDriftReport}). */
public enum ReportKind {
    /** A {@link DriftMonitor} window's {@link WindowReport}, as the JSON of docs/drift.md, "Window report JSON". */
    WINDOW,
    /** A {@link DriftAnalyzer} {@link DriftReport}, as the JSON {@link DriftReportJson} writes. */
    ANALYSIS
}
