package chj.build.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** EXPOSE's port specifications: {@code [[ip:]hostport:]port[-end][/proto]} → {@code port/proto} each. */
final class Ports {

    private Ports() {}

    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");

    static List<String> parse(String raw) throws ParseException {
        String[] parts = raw.split(":", -1);
        String container = parts[parts.length - 1];
        String host = parts.length >= 2 ? parts[parts.length - 2] : "";
        int slash = container.indexOf('/');
        String port = slash < 0 ? container : container.substring(0, slash);
        String proto = slash < 0 ? "" : container.substring(slash + 1);
        if (port.isEmpty()) throw new ParseException("invalid port: " + Words.quote(raw) + ": no port specified");
        if (proto.isEmpty()) proto = "tcp";
        proto = proto.toLowerCase(Locale.ROOT);
        if (!PROTOCOLS.contains(proto)) throw new ParseException("invalid port: " + Words.quote(raw) + ": invalid proto: " + proto);
        int[] range = range(port, "containerPort");
        if (!host.isEmpty()) {
            int[] hostRange = range(host, "hostPort");
            if (range[1] - range[0] != hostRange[1] - hostRange[0] && range[1] != range[0])
                throw new ParseException("invalid ranges specified for container and host Ports: " + port + " and " + host);
        }
        List<String> out = new ArrayList<>();
        for (int p = range[0]; p <= range[1]; p++) out.add(p + "/" + proto);
        return out;
    }

    private static int[] range(String ports, String what) throws ParseException {
        int dash = ports.indexOf('-');
        String start = dash < 0 ? ports : ports.substring(0, dash);
        String end = dash < 0 ? start : ports.substring(dash + 1);
        int a = number(start, ports, what);
        int b = end.equals(start) ? a : number(end, ports, what);
        if (b < a) throw new ParseException("invalid " + what + ": " + ports);
        return new int[] {a, b};
    }

    private static int number(String s, String ports, String what) throws ParseException {
        try {
            int n = Integer.parseInt(s);
            if (n < 0 || n > 65535) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new ParseException("invalid " + what + ": " + ports);
        }
    }
}
