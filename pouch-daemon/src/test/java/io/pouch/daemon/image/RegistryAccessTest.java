package io.pouch.daemon.image;

import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.config.RegistryConfig;
import io.pouch.daemon.registry.Credentials;
import io.pouch.daemon.registry.RegistryClient;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RegistryAccessTest {
    @Test
    void aLoginServerNamesItsRegistry() {
        assertEquals("docker.io", RegistryAccess.loginDomain("https://index.docker.io/v1/"));
        assertEquals("docker.io", RegistryAccess.loginDomain(""));
        assertEquals("localhost:5000", RegistryAccess.loginDomain("http://localhost:5000/v2/"));
        assertEquals("registry.example", RegistryAccess.loginDomain("registry.example"));
    }

    @Test
    void aSearchTermMayNameItsRegistry() {
        assertEquals(new RegistryAccess.SearchTerm("localhost:5000", "busy"),
                RegistryAccess.SearchTerm.of("localhost:5000/busy", "docker.io"));
        assertEquals(new RegistryAccess.SearchTerm("registry.example", "team/app"),
                RegistryAccess.SearchTerm.of("registry.example/team/app", "docker.io"));
        assertEquals(new RegistryAccess.SearchTerm("localhost", "x"), RegistryAccess.SearchTerm.of("localhost/x", "docker.io"));
        assertEquals(new RegistryAccess.SearchTerm("docker.io", "library/busybox"),
                RegistryAccess.SearchTerm.of("library/busybox", "docker.io"));
        assertEquals(new RegistryAccess.SearchTerm("mirror:5000", "busybox"),
                RegistryAccess.SearchTerm.of("busybox", "mirror:5000"));
    }

    @Test
    void aSearchNeedsATermAndASensibleLimit() {
        RegistryAccess access = new RegistryAccess(new RegistryClient(RegistryConfig.defaults()));
        assertEquals("a search term is required", assertThrows(PouchException.class,
                () -> access.search(" ", 25, Credentials.NONE)).getMessage());
        assertEquals("limit 0 is outside the range of [1, 100]", assertThrows(PouchException.class,
                () -> access.search("busybox", 0, Credentials.NONE)).getMessage());
        assertEquals(400, assertThrows(PouchException.class, () -> access.search("busybox", 101, Credentials.NONE)).status());
    }

    @Test
    void aSearchResultHasDockersFieldsInDockersOrder() throws Exception {
        assertEquals("{\"star_count\":0,\"is_official\":false,\"name\":\"busybox\",\"is_automated\":false,"
                + "\"description\":\"\"}", Json.MAPPER.writeValueAsString(SearchResult.of("busybox")));
    }
}
