package io.pouch.daemon.cri.streaming;

import io.pouch.cri.v1.AttachRequest;
import io.pouch.cri.v1.ExecRequest;
import io.pouch.cri.v1.PodSandboxConfig;
import io.pouch.cri.v1.PortForwardRequest;
import io.pouch.it.CriDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CRI's streaming server through a real pouchd, as kubectl and crictl use it: exec (output, exit status,
 * stdin and its close, a terminal and its resize), attach, and port forward into the pod's own network namespace,
 * over kubelet's SPDY/3.1 protocol and over WebSocket (remotecommand v5, portforward v4). The clients are the
 * streaming tests' own (a spdystream-like Netty client, the JDK's WebSocket).
 */
@Tag("e2e")
class CriStreamingEndToEndTest {
    private static final String SUCCESS = "{\"metadata\":{},\"status\":\"Success\"}";
    private static CriDaemon pods;
    private static PodSandboxConfig podConfig;
    private static String pod;
    private static String shell;
    private static String ticker;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void podWithContainers() {
        pods = CriDaemon.start("pcs");
        podConfig = pods.pod("stream-" + CriDaemon.id());
        pod = pods.runPod(podConfig);
        shell = pods.startContainer(pod, podConfig, pods.container(podConfig, "shell",
                List.of("sh", "-c", "while true; do echo pod-data | nc -l -p 8080; done")).toBuilder()
                .setStdin(true).build());
        ticker = pods.startContainer(pod, podConfig, "ticker", List.of("sh", "-c",
                "while true; do echo tick; sleep 0.2; done"));
    }

    @AfterAll
    static void cleanUp() {
        if (pods != null) {
            pods.close();
        }
    }

    private static String execUrl(List<String> cmd, boolean stdin, boolean tty) {
        return pods.cri().runtime().exec(ExecRequest.newBuilder().setContainerId(shell).addAllCmd(cmd)
                .setStdin(stdin).setStdout(true).setStderr(!tty).setTty(tty).build()).getUrl();
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void spdyExecSendsOutputAndTheExitStatus() throws Exception {
        try (SpdyTestClient c = SpdyTestClient.connect(execUrl(List.of("sh", "-c", "echo out; echo err >&2; exit 7"),
                false, false), "v4.channel.k8s.io")) {
            assertEquals(101, c.response().status().code());
            int error = c.openStream(Map.of("streamtype", "error"));
            int stdout = c.openStream(Map.of("streamtype", "stdout"));
            int stderr = c.openStream(Map.of("streamtype", "stderr"));
            assertEquals("out\n", text(c.awaitEnd(stdout)));
            assertEquals("err\n", text(c.awaitEnd(stderr)));
            String status = text(c.awaitEnd(error));
            assertTrue(status.contains("\"reason\":\"NonZeroExitCode\"") && status.contains("\"message\":\"7\""),
                    status);
        }
    }

    @Test
    void spdyExecReadsStdinUntilTheClientClosesIt() throws Exception {
        try (SpdyTestClient c = SpdyTestClient.connect(execUrl(List.of("cat"), true, false), "v4.channel.k8s.io")) {
            assertEquals(101, c.response().status().code());
            int error = c.openStream(Map.of("streamtype", "error"));
            int stdin = c.openStream(Map.of("streamtype", "stdin"));
            int stdout = c.openStream(Map.of("streamtype", "stdout"));
            c.openStream(Map.of("streamtype", "stderr"));
            c.send(stdin, "hello pod\n".getBytes(StandardCharsets.UTF_8));
            c.finish(stdin);
            assertEquals("hello pod\n", text(c.awaitEnd(stdout)));
            assertEquals(SUCCESS, text(c.awaitEnd(error)));
        }
    }

    @Test
    void spdyPortForwardReachesThePortInsideThePod() throws Exception {
        String url = pods.cri().runtime().portForward(PortForwardRequest.newBuilder().setPodSandboxId(pod)
                .addPort(8080).build()).getUrl();
        try (SpdyTestClient c = SpdyTestClient.connect(url, "portforward.k8s.io")) {
            assertEquals(101, c.response().status().code());
            int error = c.openStream(Map.of("streamtype", "error", "port", "8080", "requestid", "0"));
            int data = c.openStream(Map.of("streamtype", "data", "port", "8080", "requestid", "0"));
            assertEquals("pod-data\n", text(c.awaitEnd(data)));
            assertEquals("", text(c.awaitEnd(error)));
        }
    }

    private static WebSocket connect(String url, WebSocketStreamingTest.Channels listener, String protocol)
            throws Exception {
        return HTTP.newWebSocketBuilder().subprotocols(protocol)
                .buildAsync(URI.create(url.replace("http://", "ws://")), listener).get(10, TimeUnit.SECONDS);
    }

    private static ByteBuffer frame(int channel, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(data.length + 1);
        b.put((byte) channel).put(data).flip();
        return b;
    }

    @Test
    void webSocketExecWithATerminalSeesItsSize() throws Exception {
        var c = new WebSocketStreamingTest.Channels();
        WebSocket ws = connect(execUrl(List.of("sh", "-c", "for i in $(seq 100); do s=$(stty size);"
                + " [ \"$s\" = '40 100' ] && break; sleep 0.1; done; echo \"size $s\""), false, true), c,
                "v5.channel.k8s.io");
        assertEquals("v5.channel.k8s.io", ws.getSubprotocol());
        ws.sendBinary(frame(4, "{\"Width\":100,\"Height\":40}".getBytes(StandardCharsets.UTF_8)), true).get();
        c.await(x -> x.text(3).contains("Success"));
        assertTrue(c.text(1).contains("size 40 100"), c.text(1));
        c.closed.get(10, TimeUnit.SECONDS);
    }

    @Test
    void webSocketAttachFollowsTheMainProcess() throws Exception {
        String url = pods.cri().runtime().attach(AttachRequest.newBuilder().setContainerId(ticker).setStdout(true)
                .setStderr(true).build()).getUrl();
        var c = new WebSocketStreamingTest.Channels();
        WebSocket ws = connect(url, c, "v5.channel.k8s.io");
        c.await(x -> x.text(1).contains("tick\ntick\n"));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get();
        c.closed.get(10, TimeUnit.SECONDS);
    }

    @Test
    void webSocketPortForwardAnnouncesThePortThenPumpsBytes() throws Exception {
        String url = pods.cri().runtime().portForward(PortForwardRequest.newBuilder().setPodSandboxId(pod)
                .addPort(8080).build()).getUrl();
        var c = new WebSocketStreamingTest.Channels();
        connect(url, c, "v4.channel.k8s.io");
        c.await(x -> x.bytes(0).length >= 2 + "pod-data\n".length());
        byte[] data = c.bytes(0);
        assertEquals(8080, (data[0] & 0xff) | (data[1] & 0xff) << 8);
        assertEquals("pod-data\n", new String(data, 2, data.length - 2, StandardCharsets.UTF_8));
        // the pod's server closed its connection after its line: the session ends with it
        c.closed.get(10, TimeUnit.SECONDS);
    }
}
