package io.prodgate.core.rollback;

import io.prodgate.core.http.HttpRequestSpec;
import java.util.Objects;
import java.util.Optional;

/** Where the target says which version it runs. */
public sealed interface VersionSource permits VersionSource.Http, VersionSource.Promql {

    /**
     * An HTTP endpoint: the version is the JSON field at {@code jsonField}, or the whole (trimmed) body without one.
     */
    record Http(HttpRequestSpec request, Optional<String> jsonField) implements VersionSource {
        public Http {
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(jsonField, "jsonField");
        }
    }

    /**
     * A PromQL query over the {@code prometheus} section, e.g. {@code max by (version) (build_info{${selector}})}:
     * the version is the {@code label} of the one series it returns. Several series mean several versions still run.
     */
    record Promql(String query, String label, String selector) implements VersionSource {
        public Promql {
            Objects.requireNonNull(query, "query");
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(selector, "selector");
        }

        public String rendered() {
            return query.replace("${selector}", selector);
        }
    }
}
