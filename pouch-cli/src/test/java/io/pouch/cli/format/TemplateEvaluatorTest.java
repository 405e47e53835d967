package io.pouch.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TemplateEvaluatorTest {
    private static final JsonNode DATA = json("{\"Name\":\"web\",\"Ports\":{\"b\":2,\"a\":1},\"Tags\":[\"x\",\"y\"],\"Tty\":false}");

    private static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String run(String template) {
        return TemplateEvaluator.execute(TemplateParser.parse(template), DATA);
    }

    @Test
    void variablesDeclaredInABodyDoNotLeakOut() {
        assertEquals("inner outer", run("{{$v := \"outer\"}}{{if .Name}}{{$v := \"inner\"}}{{$v}}{{end}} {{$v}}"));
    }

    @Test
    void rangeBindsIndexOrKeyAndValueAndSetsDot() {
        assertEquals("0=x 1=y ", run("{{range $i, $t := .Tags}}{{$i}}={{$t}} {{end}}"));
        assertEquals("a1b2", run("{{range $k, $v := .Ports}}{{$k}}{{$v}}{{end}}"));
        assertEquals("x;y;", run("{{range $t := .Tags}}{{$t}};{{end}}"));
        assertEquals("web web ", run("{{range .Tags}}{{$.Name}} {{end}}"));
    }

    @Test
    void withSetsDotAndElseRunsWhenFalse() {
        assertEquals("web", run("{{with .Name}}{{.}}{{end}}"));
        assertEquals("no tty", run("{{with .Tty}}tty{{else}}no tty{{end}}"));
        assertEquals("empty", run("{{range .Nope}}x{{else}}empty{{end}}"));
    }

    @Test
    void subPipelinesAndPipedValuesAreTheLastArgument() {
        assertEquals("w", run("{{.Name | printf \"%.1s\"}}"));
        assertEquals("WEB", run("{{upper (print .Name)}}"));
    }

    @Test
    void evaluationErrorsUseGoWording() {
        assertEquals("template: range can't iterate over web",
                assertThrows(TemplateException.class, () -> run("{{range .Name}}{{end}}")).getMessage());
        assertEquals("template: undefined variable: $nope",
                assertThrows(TemplateException.class, () -> run("{{$nope}}")).getMessage());
        assertEquals("template: can't give argument to non-function Field[chain=[Name]]",
                assertThrows(TemplateException.class, () -> run("{{.Name .Tty}}")).getMessage());
    }
}
