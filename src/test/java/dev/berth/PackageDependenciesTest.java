package dev.berth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The layering the README describes holds in the source: no loop among Berth's packages (a package
 * here is the first name under {@code dev.berth}: api, auth, storage...), and no inline fully
 * qualified names that would hide a dependency from the imports.
 */
class PackageDependenciesTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/berth");
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.berth\\.([a-z0-9]+)\\.");
    /** A qualified name in code rather than in an import: {@code java.util.Map.of}, {@code dev.berth.x.Y}. */
    private static final Pattern INLINE_NAME = Pattern.compile("\\b(?:java|javax|jakarta|io|dev|org|com|software)\\.(?:[a-z0-9]+\\.)+([A-Z][A-Za-z0-9_]*)");

    @Test
    void packagesFormNoLoop() throws IOException {
        Map<String, Set<String>> uses = dependencies();
        List<String> loops = new ArrayList<>();
        for (String from : uses.keySet()) {
            for (String to : uses.get(from)) {
                if (reaches(uses, to, from, new TreeSet<>())) {
                    loops.add(from + " <-> " + to);
                }
            }
        }
        assertEquals(List.of(), loops, "package dependencies: " + uses);
    }

    @Test
    void codeUsesImportsNotFullyQualifiedNames() throws IOException {
        List<String> inline = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(file);
                Set<String> importedNames = new TreeSet<>();
                for (String line : lines) {
                    if (line.startsWith("import ") && !line.startsWith("import static")) {
                        importedNames.add(line.substring(line.lastIndexOf('.') + 1, line.length() - 1));
                    }
                }
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = INLINE_NAME.matcher(codeOf(lines.get(i)));
                    while (m.find()) {
                        // a class whose simple name is already imported from elsewhere can only be named in full
                        if (!importedNames.contains(m.group(1))) {
                            inline.add(SOURCES.relativize(file) + ":" + (i + 1) + " " + m.group());
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), inline);
    }

    /** The line without import/package statements, comments and string literals (names there hide nothing). */
    private static String codeOf(String line) {
        String trimmed = line.trim();
        if (trimmed.startsWith("import ") || trimmed.startsWith("package ") || trimmed.startsWith("*") || trimmed.startsWith("/*")
                || trimmed.startsWith("//") || trimmed.startsWith("@")) {
            return "";
        }
        String noStrings = line.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
        int comment = noStrings.indexOf("//");
        return comment < 0 ? noStrings : noStrings.substring(0, comment);
    }

    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file);
                if (relative.getNameCount() < 2) {
                    continue; // Main, in dev.berth itself, wires everything
                }
                String from = relative.getName(0).toString();
                for (String line : Files.readAllLines(file)) {
                    String trimmed = line.trim();
                    if (trimmed.startsWith("*") || trimmed.startsWith("/*") || trimmed.startsWith("//")) {
                        continue; // a name in a comment is no dependency
                    }
                    Matcher m = REFERENCE.matcher(line);
                    while (m.find()) {
                        if (!m.group(1).equals(from)) {
                            uses.computeIfAbsent(from, k -> new TreeSet<>()).add(m.group(1));
                        }
                    }
                }
                uses.computeIfAbsent(from, k -> new TreeSet<>());
            }
        }
        return uses;
    }

    private static boolean reaches(Map<String, Set<String>> uses, String from, String target, Set<String> seen) {
        if (from.equals(target)) {
            return true;
        }
        if (!seen.add(from)) {
            return false;
        }
        return uses.getOrDefault(from, Set.of()).stream().anyMatch(next -> reaches(uses, next, target, seen));
    }
}
