package dev.mlops.internal.lineage;

import dev.mlops.NotFoundException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.spi.ArtifactStore;
import java.io.InputStream;
import java.util.Optional;

/** Test-only artifact store that holds nothing; the lineage API never reads artifact bytes. */
final class NoArtifactStore implements ArtifactStore {
    @Override
    public ArtifactRef put(InputStream content, String expectedDigest) {
        throw new UnsupportedOperationException("the lineage tests store no artifacts");
    }

    @Override
    public InputStream open(String digest) {
        throw new NotFoundException("no artifact " + digest);
    }

    @Override
    public Optional<ArtifactRef> stat(String digest) {
        return Optional.empty();
    }

    @Override
    public String describe() {
        return "none";
    }

    @Override
    public void close() {
    }
}
