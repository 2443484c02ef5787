package dev.mlops.tracking;

/**
 * The source code a run executed, as read from the surrounding git checkout.
 *
 * @param commit     the full commit id (40 hex), or null when not in a git checkout
 * @param branch     the checked-out branch, or null when HEAD is detached
 * @param dirty      whether tracked files differ from the commit's index (see {@code docs/tracking.md})
 * @param repository the URL of the {@code origin} remote (credentials removed), or null
 */
public record CodeVersion(String commit, String branch, boolean dirty, String repository) {
}
