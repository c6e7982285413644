package dev.berth.storage;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * Appends to a file across requests (Distribution's FileWriter). Data written here is not readable
 * at the path until {@link #commit()}; {@link #close()} keeps it resumable by a later
 * {@code writer(path, true)}, in this process or another.
 */
public interface FileWriter {

    /** Bytes in the file so far, including what earlier writers appended. */
    long size();

    /**
     * Appends the stream, requesting more only as the backend takes it. Completes with the bytes
     * appended. On failure the writer may hold part of the stream; {@link #size()} tells how much.
     * The writer may keep the stream's buffers until they are stored: they must not change once emitted.
     */
    Uni<Long> write(Multi<Buffer> data);

    /** Makes what was written durable for a later resume; the writer is unusable after. */
    Uni<Void> close();

    /** Finishes the file so it is readable at its path; the writer is unusable after. */
    Uni<Void> commit();

    /** Discards everything written; the writer is unusable after. */
    Uni<Void> cancel();
}
