package io.prodgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Guards the demo's network reach: every target the demo talks to must be a loopback address.
 *
 * <p>Host names are never resolved: a host is loopback only if it is {@code localhost}, an IPv4
 * literal in 127.0.0.0/8, or the IPv6 literal {@code ::1}.
 */
public final class Loopback {

    /** The address every demo server binds to. */
    public static final String HOST = "127.0.0.1";

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private Loopback() {}

    /** The loopback IPv4 address 127.0.0.1 (a literal, so no name lookup happens). */
    public static InetAddress address() {
        try {
            return InetAddress.getByAddress(HOST, new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True if {@code host} is {@code localhost}, an IPv4 literal in 127.0.0.0/8 or {@code ::1}; never resolves names. */
    private static boolean isLoopbackHost(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost")) {
            return true;
        }
        var m = IPV4.matcher(h);
        if (m.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(m.group(i)) > 255) {
                    return false;
                }
            }
            return Integer.parseInt(m.group(1)) == 127;
        }
        if (h.indexOf(':') >= 0 && h.matches("[0-9a-f:.]+")) {
            try {
                // An IPv6 literal: getByName parses it without any lookup.
                return InetAddress.getByName(h).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    /**
     * Parses {@code url} and checks it is an absolute http(s) URL whose host is loopback.
     *
     * @throws IllegalArgumentException if the URL is malformed, not http(s), or not loopback
     */
    public static URI requireLoopbackUrl(String url) {
        if (url == null) {
            throw new IllegalArgumentException("URL must not be null");
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Malformed URL: " + url, e);
        }
        return requireLoopbackUrl(uri);
    }

    /**
     * Checks that {@code uri} is an absolute http(s) URI whose host is loopback.
     *
     * @throws IllegalArgumentException if it is not
     */
    public static URI requireLoopbackUrl(URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException("URL must not be null");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("Only http(s) URLs are allowed, got: " + uri);
        }
        if (uri.getUserInfo() != null) {
            throw new IllegalArgumentException("URLs with user info are not allowed: " + uri.getHost());
        }
        if (!isLoopbackHost(uri.getHost())) {
            throw new IllegalArgumentException(
                    "Only loopback targets (127.0.0.1, ::1, localhost) are allowed, got host: " + uri.getHost());
        }
        return uri;
    }

    /**
     * Checks a {@code host:port} pair (as used by Prometheus static_configs) is loopback with a valid port.
     *
     * @throws IllegalArgumentException if it is not
     */
    public static String requireLoopbackHostPort(String hostPort) {
        if (hostPort == null) {
            throw new IllegalArgumentException("host:port must not be null");
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("Expected host:port, got: " + hostPort);
        }
        String host = hostPort.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Bad port in: " + hostPort, e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Port out of range in: " + hostPort);
        }
        if (host.indexOf(':') >= 0 && !(host.startsWith("[") && host.endsWith("]"))) {
            throw new IllegalArgumentException("IPv6 hosts must be bracketed: " + hostPort);
        }
        if (!isLoopbackHost(host)) {
            throw new IllegalArgumentException(
                    "Only loopback targets (127.0.0.1, ::1, localhost) are allowed, got: " + hostPort);
        }
        return hostPort;
    }

    /** A currently free TCP port on 127.0.0.1 (it may be taken by someone else before you bind it). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, address())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not find a free loopback port", e);
        }
    }
}
