package io.prodgate.core.action;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ${name}} placeholders of an action's text, such as {@code ${weight}} in a traffic action. Substitution is
 * plain text replacement in one pass: a value is inserted as it is, and a {@code ${...}} inside a value is not
 * replaced again.
 */
public final class Placeholders {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    private Placeholders() {
    }

    /** {@code text} with each {@code ${name}} that has a value replaced by it; other placeholders stay as written. */
    public static String substitute(String text, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String value = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The names of the placeholders in {@code text}, in order and with repeats; {@code ${}} gives an empty name. */
    public static List<String> names(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Whether {@code text} has a {@code ${} with no {@code }} after it: a placeholder cut short. */
    public static boolean hasUnclosed(String text) {
        int open = text.lastIndexOf("${");
        return open >= 0 && text.indexOf('}', open + 2) < 0;
    }
}
