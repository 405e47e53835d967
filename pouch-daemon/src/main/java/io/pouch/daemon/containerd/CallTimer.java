package io.pouch.daemon.containerd;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.pouch.daemon.sys.Trace;

import java.util.logging.Logger;

/**
 * Logs how long each containerd call took, to see where a request's time goes. Off unless pouchd runs with
 * {@code -Dpouch.traceCalls=true}: then it is on the channel, otherwise it costs nothing.
 */
final class CallTimer implements ClientInterceptor {
    static final boolean ENABLED = Trace.ENABLED;
    private static final Logger LOG = Logger.getLogger(CallTimer.class.getName());

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        long t0 = System.nanoTime();
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        LOG.info(String.format("containerd %s %.1f ms %s [%s]", method.getFullMethodName(),
                                (System.nanoTime() - t0) / 1e6, status.getCode(), Thread.currentThread().getName()));
                        super.onClose(status, trailers);
                    }
                }, headers);
            }
        };
    }
}
