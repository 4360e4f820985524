package io.prodgate.core.gatefile;

import io.prodgate.core.config.ConfigNode;
import io.prodgate.core.config.HeaderRules;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Checks the header maps of a gate file ({@code headers}, {@code headersFromEnv}) against {@link HeaderRules}. */
final class HeaderFields {
    private HeaderFields() {
    }

    /**
     * Plain headers: valid names and values, and no credentials.
     *
     * @param secretHint how to give the named credential instead, for the message
     */
    static void checkPlain(ConfigNode n, String field, Map<String, String> headers,
                           UnaryOperator<String> secretHint) {
        headers.forEach((name, value) -> {
            String path = field + "." + name;
            HeaderRules.nameProblem(name).ifPresent(p -> n.problem(field, p));
            HeaderRules.valueProblem(value).ifPresent(p -> n.problem(path, p));
            if (HeaderRules.isSecret(name)) {
                n.problem(field, name + " carries a credential; secrets are never written in a gate file, "
                        + secretHint.apply(name));
            }
        });
    }

    /** Header names whose values come from elsewhere (the environment). */
    static void checkNames(ConfigNode n, String field, Iterable<String> names) {
        for (String name : names) {
            HeaderRules.nameProblem(name).ifPresent(p -> n.problem(field, p));
        }
    }
}
