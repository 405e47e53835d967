package io.pouch.daemon.api;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RequestTargetTest {
    @Test
    void versionPrefixIsStrippedAndNegotiated() {
        RequestTarget t = RequestTarget.parse("/v1.41/containers/json?all=1");
        assertEquals(new ApiVersion(1, 41), t.version());
        assertEquals(List.of("containers", "json"), t.segments());
        assertEquals("/containers/json", t.path());
    }

    @Test
    void noPrefixMeansCurrent() {
        RequestTarget t = RequestTarget.parse("/_ping");
        assertEquals(ApiVersion.CURRENT, t.version());
        assertEquals(List.of("_ping"), t.segments());
    }

    @Test
    void tooNewAndTooOldUseDockerdWording() {
        PouchException e = assertThrows(PouchException.class, () -> RequestTarget.parse("/v1.99/version"));
        assertEquals(400, e.status());
        assertEquals("client version 1.99 is too new. Maximum supported API version is " + ApiVersion.CURRENT,
                e.getMessage());
        e = assertThrows(PouchException.class, () -> RequestTarget.parse("/v1.12/version"));
        assertEquals("client version 1.12 is too old. Minimum supported API version is 1.24, "
                + "please upgrade your client to a newer version", e.getMessage());
    }

    @Test
    void malformedVersionIs400() {
        assertEquals(400, assertThrows(PouchException.class, () -> RequestTarget.parse("/v1..2/version")).status());
    }

    @Test
    void segmentsAreDecodedOneByOne() {
        // docker-java: %2F inside one segment; the docker CLI: raw slashes
        assertEquals(List.of("images", "127.0.0.1:5077/e2e/busybox:1.29-2", "json"),
                RequestTarget.parse("/v1.44/images/127.0.0.1:5077%2Fe2e%2Fbusybox:1.29-2/json").segments());
        assertEquals(List.of("images", "a", "b", "json"), RequestTarget.parse("/images/a/b/json").segments());
        assertEquals(List.of("x", "a+b c"), RequestTarget.parse("/x/a+b%20c").segments());
    }

    @Test
    void bothImageNameFormsRouteAlike() {
        Router r = new Router();
        Handler h = ex -> { };
        r.add("GET", "/images/{name*}/json", h);
        for (String uri : List.of("/images/reg:5000%2Fa%2Fb:1/json", "/v1.41/images/reg:5000/a/b:1/json")) {
            Router.Match m = r.match("GET", RequestTarget.parse(uri).segments());
            assertEquals("reg:5000/a/b:1", m.params().get("name"), uri);
        }
    }

    @Test
    void emptySegmentsAreDroppedAndVersionLookalikesAreNot() {
        assertEquals(List.of("containers", "json"), RequestTarget.parse("//containers//json/").segments());
        assertEquals(List.of("vfoo", "x"), RequestTarget.parse("/vfoo/x").segments());
    }

    @Test
    void badPercentEncodingIs400() {
        assertEquals(400, assertThrows(PouchException.class, () -> RequestTarget.parse("/images/%zz/json")).status());
    }

    @Test
    void listenAddresses() {
        assertEquals("unix", ListenAddress.parse("unix:///var/run/pouchd.sock").scheme());
        ListenAddress tcp = ListenAddress.parse("tcp://127.0.0.1:2376");
        assertEquals(2376, tcp.port());
        assertEquals("127.0.0.1", tcp.host());
        assertThrows(PouchException.class, () -> ListenAddress.parse("unix://relative.sock"));
        assertThrows(PouchException.class, () -> ListenAddress.parse("http://x"));
    }
}
