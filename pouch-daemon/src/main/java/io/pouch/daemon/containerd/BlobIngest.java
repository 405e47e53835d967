package io.pouch.daemon.containerd;

import com.google.protobuf.UnsafeByteOperations;
import containerd.services.content.v1.ContentOuterClass;
import containerd.services.content.v1.ContentOuterClass.WriteAction;
import containerd.services.content.v1.ContentOuterClass.WriteContentRequest;
import containerd.services.content.v1.ContentOuterClass.WriteContentResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.pouch.api.PouchException;
import io.pouch.daemon.sys.Trace;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One blob being written into containerd's content store over a Content.Write stream. Pipelined: the WRITE
 * requests go out without waiting for containerd's answer to each (waiting for one answer per chunk made storing
 * a 63 MB image take about as long as downloading it); gRPC's flow control (isReady/onReady) bounds the bytes in
 * flight. containerd checks each request's offset in order, and verifies the expected digest and size on commit,
 * so a blob whose bytes are wrong is never stored. Not thread-safe: one writer thread.
 */
final class BlobIngest implements BlobSink {
    private static final Object DONE = new Object();

    private final Containerd ctd;
    private final String digest;
    private final long size;
    private final String ref;
    private final BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    private final Object readyLock = new Object();
    private volatile ClientCallStreamObserver<WriteContentRequest> call;
    // small writes (a download's reads) are gathered into messages of CHUNK bytes: one request per 128 KiB read
    // cost containerd a status call and a write each and doubled the CPU time of a pull
    static final int CHUNK = 4 << 20;
    // a write at least this big goes out as its own message, without gathering (a streamed download hands over
    // 1 MiB pieces; copying them into CHUNK buffers cost a copy of every byte for no fewer round trips that matter)
    static final int DIRECT = 1 << 20;
    private byte[] pending;
    private int pendingLen;
    private long pendingAt;
    private boolean first = true;
    private boolean ended;

    BlobIngest(Containerd ctd, String lease, String digest, long size) {
        this.ctd = ctd;
        this.digest = digest;
        this.size = size;
        this.ref = "pouch-" + digest.replace(':', '-') + "-" + UUID.randomUUID();
        Containerd.withLease(ctd.contentAsync(), lease).write(new ClientResponseObserver<WriteContentRequest, WriteContentResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WriteContentRequest> r) {
                call = r;
                r.setOnReadyHandler(BlobIngest.this::wake);
            }

            @Override
            public void onNext(WriteContentResponse value) {
                // the per-chunk answers carry nothing needed here; the commit's is awaited in commit()
            }

            @Override
            public void onError(Throwable t) {
                answers.add(t);
                wake();
            }

            @Override
            public void onCompleted() {
                answers.add(DONE);
                wake();
            }
        });
    }

    private void wake() {
        synchronized (readyLock) {
            readyLock.notifyAll();
        }
    }

    @Override
    public long offset() {
        return pendingAt + pendingLen;
    }

    /**
     * gRPC serializes a message into its own buffers before {@code onNext} returns, so the array is free on return.
     * Starting over at 0: containerd truncates the ingest.
     */
    @Override
    public void write(long at, byte[] data, int off, int len) {
        if (at == 0 && offset() > 0) {
            pendingLen = 0; // start over: the next message goes at offset 0, where containerd truncates
            pendingAt = 0;
        } else if (at != offset()) {
            throw new IllegalStateException("write at " + at + " but the ingest of " + digest + " is at " + offset());
        }
        if (at + len > size) {
            throw PouchException.invalidArgument("blob " + digest + " has more than the expected " + size + " bytes");
        }
        if (pendingLen == 0 && len >= DIRECT) {
            send(pendingAt, data, off, len);
            pendingAt += len;
            return;
        }
        while (len > 0) {
            if (pending == null) {
                pending = new byte[CHUNK];
            }
            int n = Math.min(len, CHUNK - pendingLen);
            System.arraycopy(data, off, pending, pendingLen, n);
            pendingLen += n;
            off += n;
            len -= n;
            if (pendingLen == CHUNK) {
                flush();
            }
        }
    }

    private void flush() {
        if (pendingLen > 0) {
            send(pendingAt, pending, 0, pendingLen);
            pendingAt += pendingLen;
            pendingLen = 0; // serialized by gRPC: the array is free again
        }
    }

    private void send(long at, byte[] data, int off, int len) {
        WriteContentRequest.Builder b = WriteContentRequest.newBuilder().setAction(WriteAction.WRITE)
                .setRef(ref).setOffset(at).setData(UnsafeByteOperations.unsafeWrap(data, off, len));
        if (first) {
            b.setTotal(size).setExpected(digest);
            first = false;
        }
        awaitReady();
        call.onNext(b.build());
    }

    @Override
    public void commit(Map<String, String> labels) {
        long offset = offset();
        if (offset != size) {
            throw PouchException.invalidArgument("blob " + digest + " has " + offset + " bytes, expected " + size);
        }
        flush();
        sendCommit(labels);
    }

    /**
     * Commits a blob whose bytes are already in the backing store of containerd's content store ({@link StagedBlob}
     * put them there): one COMMIT at the full size and no data. containerd's "shared" content policy records such a
     * blob in the namespace without reading it. Throws {@link ContainerdException} OUT_OF_RANGE when containerd did
     * not find the bytes (its writer then starts at offset 0); the caller aborts this ingest then.
     */
    void commitPresent(Map<String, String> labels) {
        if (!first || pendingLen > 0) {
            throw new IllegalStateException("the ingest of " + digest + " already has data");
        }
        first = false;
        pendingAt = size;
        sendCommit(labels);
    }

    private void sendCommit(Map<String, String> labels) {
        awaitReady();
        Trace.mark("blob", digest.substring(digest.indexOf(':') + 1), "commit sent");
        call.onNext(WriteContentRequest.newBuilder().setAction(WriteAction.COMMIT).setRef(ref)
                .setOffset(size).setTotal(size).setExpected(digest).putAllLabels(labels).build());
        call.onCompleted();
        ended = true;
        while (await() != DONE) {
            // the stream ends after the commit's answer
        }
        Trace.mark("blob", digest.substring(digest.indexOf(':') + 1), "committed");
    }

    /** Drops the stream and whatever containerd ingested under this ref (nothing is stored). */
    @Override
    public void abort() {
        if (!ended) {
            ended = true;
            try {
                call.onError(Status.CANCELLED.withDescription("write abandoned").asRuntimeException());
            } catch (RuntimeException ignored) {
                // already closed
            }
        }
        try {
            ctd.content().abort(ContentOuterClass.AbortRequest.newBuilder().setRef(ref).build());
        } catch (StatusRuntimeException ignored) {
            // nothing was ingested under that ref
        }
    }

    /** Blocks until gRPC can take another message without buffering past its window, or the stream failed. */
    private void awaitReady() {
        synchronized (readyLock) {
            while (!call.isReady() && answers.isEmpty()) {
                try {
                    readyLock.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw PouchException.internal("interrupted while writing " + digest, e);
                }
            }
        }
        if (!answers.isEmpty()) {
            await();
            throw PouchException.internal("containerd ended the write of " + digest + " early", null);
        }
    }

    private Object await() {
        try {
            Object o = answers.poll(10, TimeUnit.MINUTES);
            if (o == null) {
                throw PouchException.internal("containerd did not answer while writing " + digest, null);
            }
            if (o instanceof StatusRuntimeException sre) {
                throw ContainerdException.of(sre);
            }
            if (o instanceof Throwable t) {
                throw PouchException.internal("writing " + digest + " to containerd failed: " + t.getMessage(), t);
            }
            return o;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PouchException.internal("interrupted while writing " + digest, e);
        }
    }
}
