package io.pouch.daemon.build;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DockerfileParserTest {
    @Test
    void instructionsWithContinuationsAndComments() {
        Dockerfile d = DockerfileParser.parse("""
                # a comment
                ARG BASE=busybox
                FROM $BASE AS build
                RUN echo a \\
                  # comment inside a continuation
                  && echo b

                COPY --from=x --chown=1:2 a b /dst/
                CMD ["sh", "-c", "echo hi"]
                """);
        assertEquals(1, d.metaArgs().size());
        assertEquals(List.of("BASE=busybox"), d.metaArgs().getFirst().args());
        List<Instruction> in = d.instructions();
        assertEquals(4, in.size());
        assertEquals(List.of("$BASE", "AS", "build"), in.get(0).args());
        assertEquals(3, in.get(0).line());
        assertEquals("run", in.get(1).keyword());
        assertEquals(List.of("echo a   && echo b"), in.get(1).args());
        assertEquals(4, in.get(1).line());
        assertEquals(Map.of("from", "x", "chown", "1:2"), in.get(2).flags());
        assertEquals(List.of("a", "b", "/dst/"), in.get(2).args());
        assertTrue(in.get(3).json());
        assertEquals(List.of("sh", "-c", "echo hi"), in.get(3).args());
        assertEquals("CMD [\"sh\", \"-c\", \"echo hi\"]", in.get(3).original());
    }

    @Test
    void escapeDirectiveChangesTheContinuationCharacter() {
        Dockerfile d = DockerfileParser.parse("# escape=`\nFROM busybox\nRUN echo a `\n  b\nCOPY c:\\x /y\n");
        assertEquals('`', d.escape());
        assertEquals(List.of("echo a   b"), d.instructions().get(1).args());
        assertEquals(List.of("c:\\x", "/y"), d.instructions().get(2).args());
    }

    @Test
    void syntaxDirectiveIsRefusedNamingTheLine() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> DockerfileParser.parse("# syntax=docker/dockerfile:1\nFROM busybox\n"));
        assertTrue(e.getMessage().startsWith("Dockerfile parse error line 1: the syntax directive"), e.getMessage());
    }

    @Test
    void aDirectiveAfterAnInstructionIsAComment() {
        Dockerfile d = DockerfileParser.parse("FROM busybox\n# syntax=x\n");
        assertEquals(1, d.instructions().size());
    }

    @Test
    void heredocsAreRefused() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> DockerfileParser.parse("FROM busybox\n\nRUN <<EOF\necho hi\nEOF\n"));
        assertTrue(e.getMessage().startsWith("Dockerfile parse error line 3: heredocs"), e.getMessage());
    }

    @Test
    void unknownInstructionAndFlagsNameTheLine() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> DockerfileParser.parse("FROM busybox\nFOO bar\n"));
        assertEquals("Dockerfile parse error line 2: unknown instruction: FOO", e.getMessage());
        e = assertThrows(DockerfileException.class,
                () -> DockerfileParser.parse("FROM busybox\nRUN --mount=type=cache,target=/x true\n"));
        assertTrue(e.getMessage().contains("line 2: unknown flag: --mount on RUN"), e.getMessage());
        e = assertThrows(DockerfileException.class, () -> DockerfileParser.parse("RUN true\n"));
        assertTrue(e.getMessage().contains("line 1: no build stage"), e.getMessage());
        e = assertThrows(DockerfileException.class, () -> DockerfileParser.parse("FROM busybox\nCOPY a\n"));
        assertEquals("Dockerfile parse error line 2: COPY requires at least two arguments", e.getMessage());
        e = assertThrows(DockerfileException.class, () -> DockerfileParser.parse("FROM busybox\nSHELL sh -c\n"));
        assertTrue(e.getMessage().contains("SHELL requires the arguments to be in JSON form"));
    }

    @Test
    void envAndLabelPairs() {
        Dockerfile d = DockerfileParser.parse("FROM busybox\nENV A=1 B=\"two words\"\nENV C the rest here\n"
                + "LABEL \"x y\"=z\nENV D\n".replace("ENV D\n", ""));
        assertEquals(List.of("A", "1", "B", "\"two words\""), d.instructions().get(1).args());
        assertEquals(List.of("C", "the rest here"), d.instructions().get(2).args());
        assertEquals(List.of("\"x y\"", "z"), d.instructions().get(3).args());
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> DockerfileParser.parse("FROM busybox\nENV A=1 B\n"));
        assertTrue(e.getMessage().contains("line 2: Syntax error - can't find = in \"B\""), e.getMessage());
    }

    @Test
    void onbuildChecksItsTrigger() {
        Dockerfile d = DockerfileParser.parse("FROM busybox\nONBUILD RUN echo hi\n");
        assertEquals(List.of("RUN echo hi"), d.instructions().get(1).args());
        assertThrows(DockerfileException.class, () -> DockerfileParser.parse("FROM busybox\nONBUILD FROM x\n"));
        assertEquals(List.of("copy --chown=1:2 a /b"),
                DockerfileParser.parse("FROM busybox\nonbuild copy --chown=1:2 a /b\n").instructions().get(1).args());
        assertTrue(assertThrows(DockerfileException.class, () -> DockerfileParser.parse(
                "FROM busybox\nONBUILD ONBUILD RUN x\n")).getMessage()
                .contains("line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"));
        assertTrue(assertThrows(DockerfileException.class, () -> DockerfileParser.parse(
                "FROM busybox\nONBUILD maintainer me\n")).getMessage()
                .contains("line 2: MAINTAINER isn't allowed as an ONBUILD trigger"));
        assertTrue(assertThrows(DockerfileException.class, () -> DockerfileParser.parse(
                "FROM busybox\nONBUILD NOPE x\n")).getMessage().contains("unknown instruction: NOPE"));
    }

    @Test
    void shellFormWhenTheArrayIsNotJson() {
        Instruction in = DockerfileParser.parse("FROM busybox\nCMD [not json\n").instructions().get(1);
        assertFalse(in.json());
        assertEquals(List.of("[not json"), in.args());
    }
}
