package io.pouch.cli.format;

import io.pouch.cli.format.TemplateScanner.ActionItem;
import io.pouch.cli.format.TemplateScanner.TextItem;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TemplateScannerTest {

    @Test
    void cutsTextAndStrippedActions() {
        assertEquals(List.of(new TextItem("id="), new ActionItem(".Id"), new TextItem(" end")),
                TemplateScanner.scan("id={{ .Id }} end"));
    }

    @Test
    void trimMarkersEatWhiteSpaceOnTheirSideOnly() {
        assertEquals(List.of(new TextItem("a"), new ActionItem(".X"), new TextItem("b  ")),
                TemplateScanner.scan("a \n {{- .X -}} \t b  "));
        assertEquals(List.of(new TextItem("a "), new ActionItem(".X"), new TextItem(" b")),
                TemplateScanner.scan("a {{.X}} b"));
    }

    @Test
    void whiteSpaceOnlyTextBetweenTrimmedActionsDisappears() {
        assertEquals(List.of(new ActionItem(".A"), new ActionItem(".B")),
                TemplateScanner.scan("{{.A -}}\n   {{- .B}}"));
    }

    @Test
    void closingBracesInsideQuotesDoNotCloseTheAction() {
        assertEquals(List.of(new ActionItem("printf \"}}\" `}}`"), new TextItem("!")),
                TemplateScanner.scan("{{printf \"}}\" `}}`}}!"));
        assertEquals(List.of(new ActionItem("printf \"\\\"}}\"")), TemplateScanner.scan("{{printf \"\\\"}}\"}}"));
    }

    @Test
    void anUnclosedActionIsAnError() {
        TemplateException e = assertThrows(TemplateException.class, () -> TemplateScanner.scan("x {{.A"));
        assertEquals("template: unclosed action", e.getMessage());
        assertThrows(TemplateException.class, () -> TemplateScanner.scan("{{\"}}"));
    }
}
