package io.prodgate.core.gatefile;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.GateFileException.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML (or JSON) into a tree, refusing what the YAML library would silently get wrong: duplicate keys (the last
 * one would win) and aliases (Jackson reads {@code *name} as the text "name"). Every problem names its field path.
 *
 * <p>Aliases are refused rather than resolved: Jackson does not expose the anchors of scalars, and a refusal cannot
 * be turned into an alias bomb. Nesting is bounded so that a pathological file cannot exhaust the stack.
 */
final class YamlTree {
    /** Far deeper than any gate file (about 6 levels); deep enough for any real use. */
    static final int MAX_DEPTH = 64;

    private static final YAMLFactory FACTORY = new YAMLFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String file;
    private final JsonParser parser;
    private final List<Problem> problems = new ArrayList<>();

    private YamlTree(String file, JsonParser parser) {
        this.file = file;
        this.parser = parser;
    }

    /**
     * The tree of {@code bytes}, or null for an empty document.
     *
     * @throws GateFileException for a syntax error, a duplicate key, an alias or too deep a nesting
     */
    static JsonNode read(String file, byte[] bytes) throws GateFileException {
        checkText(file, bytes);
        try (JsonParser p = FACTORY.createParser(bytes)) {
            YamlTree tree = new YamlTree(file, p);
            JsonNode root = tree.document();
            if (!tree.problems.isEmpty()) {
                throw new GateFileException(tree.problems);
            }
            return root;
        } catch (IOException e) {
            throw GateFileException.of(file, "", "cannot be read: " + e.getMessage());
        }
    }

    /**
     * Gate files are UTF-8 text of printable characters, as YAML requires; the parser's own errors for anything else
     * name its internals or the wrong place.
     */
    private static void checkText(String file, byte[] bytes) throws GateFileException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw GateFileException.of(file, "", "is not UTF-8 text (a binary file?)");
        }
        int line = 1;
        int column = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                column = 1;
                continue;
            }
            boolean printable = c == '\t' || c == '\r' || (c >= 0x20 && c != 0x7f && (c < 0x80 || c >= 0xa0 || c == 0x85))
                    && c != 0xfffe && c != 0xffff;
            if (!printable && !(i == 0 && c == 0xfeff)) {
                throw GateFileException.of(file, "", "holds a control character (U+%04X) at line %d, column %d; YAML "
                        .formatted((int) c, line, column) + "text cannot, write it as an escape in a double-quoted string");
            }
            column++;
        }
    }

    private JsonNode document() throws GateFileException {
        JsonToken first = next("");
        if (first == null) {
            return null;
        }
        JsonNode root = value("", 0);
        if (next("") != null) {
            // YAMLParser reads a stream of documents; a gate file is one.
            fail("", "holds more than one YAML document (a second '---'); a gate file is one document");
        }
        return root;
    }

    /** The value at the current token; {@code path} names it in problems. */
    private JsonNode value(String path, int depth) throws GateFileException {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            if (depth >= MAX_DEPTH) {
                String shown = path.length() <= 80 ? path : path.substring(0, 77) + "...";
                fail(shown, "is nested more than " + MAX_DEPTH + " levels deep" + at(parser.currentTokenLocation()));
            }
            return t == JsonToken.START_OBJECT ? object(path, depth) : array(path, depth);
        }
        if (isAlias()) {
            problems.add(new Problem(file, path, "is a YAML alias (*" + text(path) + ")" + at(parser.currentTokenLocation())
                    + "; aliases are not supported in gate files, write the value out"));
            return NODES.missingNode();
        }
        try {
            return MAPPER.readTree(parser);
        } catch (JsonProcessingException e) {
            throw syntax(path, e);
        } catch (IOException e) {
            throw GateFileException.of(file, path, "cannot be read: " + e.getMessage());
        }
    }

    private ObjectNode object(String path, int depth) throws GateFileException {
        ObjectNode out = NODES.objectNode();
        Map<String, Integer> lines = new HashMap<>();
        while (next(path) == JsonToken.FIELD_NAME) {
            String name = name(path);
            String child = path.isEmpty() ? name : path + "." + name;
            int line = parser.currentTokenLocation().getLineNr();
            if (isAlias()) {
                problems.add(new Problem(file, child, "is a YAML alias used as a key" + at(parser.currentTokenLocation())
                        + "; aliases are not supported in gate files"));
            }
            Integer before = lines.putIfAbsent(name, line);
            next(child);
            JsonNode v = value(child, depth + 1);
            if (before != null) {
                problems.add(new Problem(file, child, "is given twice (lines " + before + " and " + line
                        + "); give it once, or one of them would be silently ignored"));
            } else {
                out.set(name, v);
            }
        }
        return out;
    }

    private ArrayNode array(String path, int depth) throws GateFileException {
        ArrayNode out = NODES.arrayNode();
        while (next(path) != JsonToken.END_ARRAY) {
            out.add(value(path + "[" + out.size() + "]", depth + 1));
        }
        return out;
    }

    private String name(String path) throws GateFileException {
        try {
            return parser.currentName();
        } catch (IOException e) {
            throw syntax(path, e);
        }
    }

    private String text(String path) throws GateFileException {
        try {
            return parser.getText();
        } catch (IOException e) {
            throw syntax(path, e);
        }
    }

    private boolean isAlias() {
        return parser instanceof YAMLParser y && y.isCurrentAlias();
    }

    /** The next token; a syntax error names the field it happened in. */
    private JsonToken next(String path) throws GateFileException {
        try {
            return parser.nextToken();
        } catch (IOException e) {
            throw syntax(path, e);
        }
    }

    private GateFileException syntax(String path, IOException e) {
        String what;
        JsonLocation loc = null;
        if (e instanceof StreamConstraintsException c) {
            // Jackson's own bounds (number and text length); its message names its internals.
            what = "holds a value longer than a gate file allows: " + plain(c.getOriginalMessage());
            loc = c.getLocation();
        } else if (cause(e, MarkedYAMLException.class) != null) {
            // SnakeYAML's message quotes the offending line, which may hold a value that must not be echoed.
            MarkedYAMLException m = cause(e, MarkedYAMLException.class);
            String context = m.getContext() == null ? "" : m.getContext() + mark(m.getContextMark()) + ": ";
            problems.add(new Problem(file, path, "is not valid YAML or JSON: " + context + m.getProblem()
                    + mark(m.getProblemMark())));
            return new GateFileException(problems);
        } else if (e instanceof JsonProcessingException j) {
            what = "is not valid YAML or JSON: " + withoutClassNames(j.getOriginalMessage());
            loc = j.getLocation();
        } else {
            what = "cannot be read: " + withoutClassNames(e.getMessage());
        }
        problems.add(new Problem(file, path, what + at(loc == null ? parser.currentLocation() : loc)));
        return new GateFileException(problems);
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String mark(Mark m) {
        return m == null ? "" : " (line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1) + ")";
    }

    /** Messages of wrapped exceptions start with a class name, which reads as a crash; drop it. */
    private static String withoutClassNames(String message) {
        return message == null ? "" : message.replaceAll("\\b(?:[a-z_][\\w]*\\.)+[A-Z]\\w*(?:Exception|Error): ", "");
    }

    private void fail(String path, String message) throws GateFileException {
        problems.add(new Problem(file, path, message));
        throw new GateFileException(problems);
    }

    private static String at(JsonLocation loc) {
        return loc == null || loc.getLineNr() < 1 ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }

    private static String plain(String jacksonMessage) {
        String m = jacksonMessage == null ? "" : jacksonMessage;
        int internals = m.indexOf(" (from `");
        if (internals < 0) {
            internals = m.indexOf(", from `");
        }
        return internals < 0 ? m : m.substring(0, internals) + ")";
    }
}
