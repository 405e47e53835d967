package io.pouch.daemon.cri.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.pouch.daemon.sys.Trace;

/**
 * With {@code -Dpouch.traceCalls=true}: each CRI call's time from its headers to its status, beside the containerd
 * calls it made, so that the time pouchd adds around them shows.
 */
final class TracedCalls implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        long t0 = Trace.start();
        String method = call.getMethodDescriptor().getBareMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                Trace.end("cri-call", method, status.getCode().name(), t0);
                super.close(status, trailers);
            }
        }, headers);
    }
}
