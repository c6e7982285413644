package dev.berth.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * bench/report.py rewrites docs/benchmarks.md from its results and appends bench/notes.md from "Start time and
 * memory" on: a note written only into the document would be lost at the next report.
 */
class BenchmarkNotesTest {

    @Test
    void theDocumentsNotesAreBenchNotes() throws IOException {
        String document = Files.readString(Path.of("docs/benchmarks.md"), StandardCharsets.UTF_8);
        String notes = Files.readString(Path.of("bench/notes.md"), StandardCharsets.UTF_8);
        int start = document.indexOf("\n## Start time and memory\n");
        assertTrue(start >= 0, "docs/benchmarks.md has no \"## Start time and memory\" section");
        assertTrue(notes.startsWith("## Start time and memory\n"), "bench/notes.md starts with that section");
        assertEquals(notes.strip(), document.substring(start + 1).strip(),
                "docs/benchmarks.md from \"## Start time and memory\" on must be bench/notes.md: edit both, or notes.md and run bench/report.py");
    }
}
