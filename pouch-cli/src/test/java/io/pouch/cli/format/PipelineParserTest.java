package io.pouch.cli.format;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.pouch.cli.format.TemplateNode.Field;
import io.pouch.cli.format.TemplateNode.Ident;
import io.pouch.cli.format.TemplateNode.Literal;
import io.pouch.cli.format.TemplateNode.Pipe;
import io.pouch.cli.format.TemplateNode.Sub;
import io.pouch.cli.format.TemplateNode.Var;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PipelineParserTest {

    @Test
    void commandsSeparatedByBars() {
        assertEquals(new Pipe(List.of(), List.of(
                        List.of(new Field(List.of("State", "Status"))),
                        List.of(new Ident("upper")))),
                PipelineParser.parse(".State.Status | upper"));
    }

    @Test
    void declarationsBeforeColonEquals() {
        assertEquals(new Pipe(List.of("$k", "$v"), List.of(List.of(new Field(List.of("Labels"))))),
                PipelineParser.parse("$k, $v := .Labels"));
        assertEquals(new Pipe(List.of(), List.of(List.of(new Var("$x", List.of("A"))))),
                PipelineParser.parse("$x.A"), "a variable without := is a value, not a declaration");
    }

    @Test
    void literalsOfEveryKind() {
        assertEquals(List.of(new Ident("f"), new Literal(TextNode.valueOf("a\tb\"")), new Literal(TextNode.valueOf("r\\n")),
                        new Literal(LongNode.valueOf(-3)), new Literal(DoubleNode.valueOf(1.5)),
                        new Literal(BooleanNode.TRUE), new Literal(BooleanNode.FALSE),
                        new Literal(NullNode.getInstance()), new Field(List.of()), new Var("$", List.of())),
                PipelineParser.parse("f \"a\\tb\\\"\" `r\\n` -3 1.5 true false nil . $").commands().get(0));
    }

    @Test
    void parenthesesNestAPipeline() {
        assertEquals(List.of(new Ident("upper"), new Sub(new Pipe(List.of(), List.of(
                        List.of(new Ident("truncate"), new Field(List.of("S")), new Literal(LongNode.valueOf(3))))))),
                PipelineParser.parse("upper (truncate .S 3)").commands().get(0));
    }

    @Test
    void syntaxErrorsUseGoWording() {
        assertEquals("template: unclosed left paren", message("upper (.A"));
        assertEquals("template: unexpected right paren", message(".A)"));
        assertEquals("template: missing command before |", message("| upper"));
        assertEquals("template: missing value for command", message(".A |"));
        assertEquals("template: bad number syntax: 1x", message("1x"));
        assertEquals("template: unterminated quoted string", message("\"abc"));
        assertEquals("template: unexpected \"%\" in command", message("%"));
        assertEquals("template: bad field name", message(".A..B"));
    }

    private static String message(String code) {
        return assertThrows(TemplateException.class, () -> PipelineParser.parse(code)).getMessage();
    }
}
