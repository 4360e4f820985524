package io.jenkins.plugins.prodgate.gate;

import com.cloudbees.plugins.credentials.CredentialsMatcher;
import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import com.cloudbees.plugins.credentials.domains.URIRequirementBuilder;
import edu.umd.cs.findbugs.annotations.CheckForNull;
import hudson.AbortException;
import hudson.ProxyConfiguration;
import hudson.model.Run;
import io.jenkins.plugins.prodgate.config.ProdgateConfiguration;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.PrometheusSettings;
import io.prodgate.core.config.SecretRef;
import io.prodgate.core.prometheus.PrometheusAuth;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.secret.Secret;
import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jenkins.model.Jenkins;
import okhttp3.OkHttpClient;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;

/**
 * Opens the Prometheus client of a gate run and decides which credential goes with it.
 *
 * <p>The administrator's credential goes only to the administrator's URL: a step or gate file that names another URL
 * must bring its own {@code credentialsId} (resolved as the build's user), or a token from the build environment,
 * else nothing is sent. Gate files may not point at secret files: on the controller that would read any file.
 */
public final class PrometheusConnection {
    /** Credential kinds a Prometheus accepts: a bearer token, or basic auth. */
    public static final CredentialsMatcher USABLE = CredentialsMatchers.anyOf(
            CredentialsMatchers.instanceOf(StringCredentials.class),
            CredentialsMatchers.instanceOf(StandardUsernamePasswordCredentials.class));

    // One HTTP client for the plugin: connection pool and dispatcher shared by every gate, proxy from Jenkins.
    private static final OkHttpClient HTTP =
            new OkHttpClient.Builder().proxySelector(new JenkinsProxies()).build();

    private PrometheusConnection() {}

    /** What a gate run talks to: a client, and a description of it that is safe to log. */
    public record Opened(PrometheusClient client, String description) {}

    /**
     * The connection for one gate run: URL from the step, else the gate file, else the global settings.
     *
     * @param fromFile the gate file's {@code prometheus} section, when it has one
     * @param env      the build's environment, where the gate file's {@code bearerTokenEnv} / {@code passwordEnv}
     *                 are read (so {@code withCredentials} can supply them)
     */
    public static Opened open(
            Run<?, ?> run,
            Map<String, String> env,
            String gateFileName,
            Optional<PrometheusSettings> fromFile,
            @CheckForNull String stepUrl,
            @CheckForNull String stepCredentialsId,
            ProdgateConfiguration global)
            throws AbortException {
        String globalUrl = global.getPrometheusUrl();
        String url = stepUrl != null
                ? stepUrl
                : fromFile.map(PrometheusSettings::url).orElse(globalUrl);
        if (url == null) {
            throw new AbortException(Messages.PrometheusConnection_NoUrl());
        }
        Duration timeout = fromFile.map(PrometheusSettings::timeout).orElse(PrometheusSettings.DEFAULT_TIMEOUT);
        int retries = fromFile.map(PrometheusSettings::retries).orElse(PrometheusSettings.DEFAULT_RETRIES);
        PrometheusClient.Builder builder = PrometheusClient.builder()
                .baseUrl(url)
                .okHttpClient(HTTP)
                .timeout(timeout)
                .retries(retries);
        fromFile.ifPresent(s -> builder.headers(s.headers()).tlsVerify(s.tlsVerify()));
        String auth;
        try {
            if (stepCredentialsId != null) {
                // as the build's user, and only a credential whose domain (if any) covers this URL
                StandardCredentials c = CredentialsProvider.findCredentialById(
                        stepCredentialsId,
                        StandardCredentials.class,
                        run,
                        URIRequirementBuilder.fromUri(url).build());
                if (c == null || !USABLE.matches(c)) {
                    throw new AbortException(Messages.PrometheusConnection_NoCredentials(stepCredentialsId));
                }
                builder.auth(auth(c, stepCredentialsId));
                auth = "credential " + stepCredentialsId;
            } else if (stepUrl == null && fromFile.isPresent() && hasSecretRef(fromFile.get())) {
                PrometheusSettings s = fromFile.get();
                refuseFiles(gateFileName, s);
                builder.auth(fileAuth(gateFileName, s, env));
                auth = s.bearerToken()
                        .map(SecretRef::toString)
                        .or(() -> s.password().map(SecretRef::toString))
                        .orElse("");
            } else if (global.getCredentialsId() != null
                    && sameUrl(url, globalUrl)
                    && fromFile.map(PrometheusSettings::tlsVerify).orElse(true)) {
                // (a gate file that turns TLS verification off does not get the administrator's credential either)
                StandardCredentials c = global.systemCredentials(global.getCredentialsId());
                if (c == null) {
                    throw new AbortException(Messages.PrometheusConnection_NoCredentials(global.getCredentialsId()));
                }
                builder.auth(auth(c, global.getCredentialsId()));
                auth = "credential " + global.getCredentialsId();
            } else {
                auth = global.getCredentialsId() != null ? Messages.PrometheusConnection_NotSent() : "";
            }
            PrometheusClient client = builder.build();
            return new Opened(client, client.endpoint() + (auth.isEmpty() ? "" : " (" + auth + ")"));
        } catch (IllegalArgumentException e) {
            throw new AbortException(e.getMessage());
        }
    }

    /** A client for the global settings' connection test. */
    public static PrometheusClient client(
            String url,
            @CheckForNull StandardCredentials credentials,
            @CheckForNull String id,
            Duration timeout,
            int retries) {
        PrometheusClient.Builder b = PrometheusClient.builder()
                .baseUrl(url)
                .okHttpClient(HTTP)
                .timeout(timeout)
                .retries(retries);
        if (credentials != null) {
            b.auth(auth(credentials, id));
        }
        return b.build();
    }

    static PrometheusAuth auth(StandardCredentials c, String id) {
        String origin = "credential " + id;
        if (c instanceof StringCredentials token) {
            return PrometheusAuth.bearer(Secret.of(token.getSecret().getPlainText(), origin));
        }
        StandardUsernamePasswordCredentials basic = (StandardUsernamePasswordCredentials) c;
        return PrometheusAuth.basic(
                basic.getUsername(), Secret.of(basic.getPassword().getPlainText(), origin));
    }

    /** Same scheme, host, port and path, ignoring a trailing slash and case of the host. */
    static boolean sameUrl(String a, @CheckForNull String b) {
        if (b == null) {
            return false;
        }
        try {
            URI x = URI.create(a.strip()).normalize();
            URI y = URI.create(b.strip()).normalize();
            return x.getUserInfo() == null
                    && y.getUserInfo() == null
                    && x.getScheme().equalsIgnoreCase(y.getScheme())
                    && x.getHost().equalsIgnoreCase(y.getHost())
                    && port(x) == port(y)
                    && trim(x.getRawPath()).equals(trim(y.getRawPath()));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static String trim(String path) {
        String p = path == null ? "" : path;
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static boolean hasSecretRef(PrometheusSettings s) {
        return s.bearerToken().isPresent() || s.password().isPresent();
    }

    private static void refuseFiles(String gateFileName, PrometheusSettings s) throws AbortException {
        boolean file = s.bearerToken().map(r -> r.kind() == SecretRef.Kind.FILE).orElse(false)
                || s.password().map(r -> r.kind() == SecretRef.Kind.FILE).orElse(false);
        if (file) {
            throw new AbortException(Messages.PrometheusConnection_NoSecretFiles(gateFileName));
        }
    }

    private static PrometheusAuth fileAuth(String gateFileName, PrometheusSettings s, Map<String, String> env)
            throws AbortException {
        try {
            Path nowhere = Path.of(".");
            if (s.bearerToken().isPresent()) {
                return PrometheusAuth.bearer(s.bearerToken().get().resolve(gateFileName, env, nowhere));
            }
            return PrometheusAuth.basic(
                    s.username().orElse(""), s.password().get().resolve(gateFileName, env, nowhere));
        } catch (GateFileException e) {
            throw new AbortException(e.getMessage());
        }
    }

    /** Routes through the proxy configured in Manage Jenkins, read at each connection. */
    private static final class JenkinsProxies extends ProxySelector {
        @Override
        public List<Proxy> select(URI uri) {
            Jenkins j = Jenkins.getInstanceOrNull();
            ProxyConfiguration proxy = j == null ? null : j.getProxy();
            return List.of(proxy == null || uri.getHost() == null ? Proxy.NO_PROXY : proxy.createProxy(uri.getHost()));
        }

        @Override
        public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            // OkHttp tries the next route itself
        }
    }
}
