package io.pouch.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GoTemplateTest {
    private static final JsonNode C = json("""
            {"Id":"abc","Name":"/web","State":{"Status":"running","Pid":42,"Running":true},
             "Config":{"Env":["A=1","B=2"],"Labels":{"z":"last","a":"first"},"Tty":false,"Cmd":null},
             "Mounts":[{"Source":"/src","Destination":"/dst"}],"Note":"<b>&"}
            """);

    private static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static String run(String template) {
        return GoTemplate.parse(template).execute(C);
    }

    @Test
    void fieldsAndNestedFields() {
        assertEquals("/web running 42 true", run("{{.Name}} {{.State.Status}} {{.State.Pid}} {{.State.Running}}"));
    }

    @Test
    void missingNullArraysAndMapsPrintLikeGo() {
        assertEquals("<no value>|<nil>|[A=1 B=2]|map[a:first z:last]",
                run("{{.Nope}}|{{.Config.Cmd}}|{{.Config.Env}}|{{.Config.Labels}}"));
    }

    @Test
    void jsonUsesGoEscaping() {
        assertEquals("{\"z\":\"last\",\"a\":\"first\"}", run("{{json .Config.Labels}}"));
        assertEquals("\"\\u003cb\\u003e\\u0026\"", run("{{json .Note}}"));
        assertEquals("null", run("{{json .Config.Cmd}}"));
    }

    @Test
    void rangeWithAndWithoutVariables() {
        assertEquals("A=1,B=2,", run("{{range .Config.Env}}{{.}},{{end}}"));
        assertEquals("a=first;z=last;", run("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}"));
        assertEquals("/src:/dst", run("{{range .Mounts}}{{.Source}}:{{.Destination}}{{end}}"));
        assertEquals("none", run("{{range .Nope}}x{{else}}none{{end}}"));
        assertEquals("/web", run("{{range .Config.Env}}{{end}}{{$.Name}}"));
    }

    @Test
    void conditionalsAndComparisons() {
        assertEquals("up", run("{{if .State.Running}}up{{else}}down{{end}}"));
        assertEquals("no tty", run("{{if .Config.Tty}}tty{{else if .State.Running}}no tty{{end}}"));
        assertEquals("yes", run("{{if eq .State.Status \"exited\" \"running\"}}yes{{end}}"));
        assertEquals("true", run("{{gt .State.Pid 10}}"));
        assertEquals("running", run("{{with .State}}{{.Status}}{{end}}"));
    }

    @Test
    void functionsAndPipelines() {
        assertEquals("A=1, B=2", run("{{join .Config.Env \", \"}}"));
        assertEquals("RUNNING", run("{{.State.Status | upper}}"));
        assertEquals("2", run("{{len .Config.Env}}"));
        assertEquals("first", run("{{index .Config.Labels \"a\"}}"));
        assertEquals("[a b]", run("{{split \"a:b\" \":\"}}"));
        assertEquals("pid=42 name=/web", run("{{printf \"pid=%d name=%s\" .State.Pid .Name}}"));
        assertEquals("RUN", run("{{upper (truncate .State.Status 3)}}"));
    }

    @Test
    void trimMarkersAndVariables() {
        assertEquals("a/web", run("a  {{- .Name -}}  \n"));
        assertEquals("/web", run("{{$n := .Name}}{{$n}}"));
    }

    @Test
    void errorsAreReported() {
        assertThrows(TemplateException.class, () -> GoTemplate.parse("{{.Name"));
        assertThrows(TemplateException.class, () -> GoTemplate.parse("{{range .X}}"));
        assertThrows(TemplateException.class, () -> run("{{nosuchfunc .Name}}"));
        assertThrows(TemplateException.class, () -> GoTemplate.parse("{{end}}"));
    }

    @Test
    void tableFormatPrintsHeadersAndAligns() {
        List<JsonNode> rows = List.of(json("{\"ID\":\"abc123\",\"Names\":\"web\"}"),
                json("{\"ID\":\"def456789012\",\"Names\":\"db\"}"));
        String out = new ListFormat("table {{.ID}}\\t{{.Names}}", Map.of("ID", "CONTAINER ID", "Names", "NAMES"))
                .render(rows);
        assertEquals("""
                CONTAINER ID   NAMES
                abc123         web
                def456789012   db
                """, out);
        assertEquals("abc123\ndef456789012\n", new ListFormat("{{.ID}}", Map.of()).render(rows));
        assertEquals("{\"ID\":\"abc123\",\"Names\":\"web\"}\n",
                new ListFormat("json", Map.of()).render(rows.subList(0, 1)));
    }

    @Test
    void inspectJsonLooksLikeGo() {
        assertEquals("[\n    {\n        \"A\": [],\n        \"B\": {},\n        \"C\": [\n            1\n        ]\n    }\n]",
                GoJson.indented(json("[{\"A\":[],\"B\":{},\"C\":[1]}]")));
    }
}
