package io.pouch.daemon.cri.runtime;

import io.pouch.cri.v1.AttachRequest;
import io.pouch.cri.v1.ExecRequest;
import io.pouch.cri.v1.PortForwardRequest;

/** The streaming server's single-use URLs that the Exec, Attach and PortForward RPCs answer. */
public interface StreamUrls {
    String exec(ExecRequest request);

    String attach(AttachRequest request);

    String portForward(PortForwardRequest request);
}
