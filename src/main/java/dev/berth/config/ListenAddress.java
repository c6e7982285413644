package dev.berth.config;

/** {@code http.addr} as Go writes it: ":5000", "127.0.0.1:5000", "[::1]:5000". */
public record ListenAddress(String host, int port) {

    public static ListenAddress parse(String addr) {
        String value = addr.trim();
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigError("http.addr: expected [host]:port, got \"" + addr + "\"");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigError("http.addr: port must be a number, got \"" + addr + "\"");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigError("http.addr: port out of range, got \"" + addr + "\"");
        }
        return new ListenAddress(host, port);
    }
}
