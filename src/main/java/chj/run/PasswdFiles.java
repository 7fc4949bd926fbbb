package chj.run;

import chj.run.sys.ErrnoException;
import chj.run.sys.Sys;

/**
 * The container's /etc/passwd and /etc/group, as Charliecloud writes them: root and nobody plus
 * one entry for the container user, named after the host's entry for that ID (the host files
 * themselves are not bound: that breaks LDAP-style setups).
 */
final class PasswdFiles {
    private PasswdFiles() {}

    static String passwd(int uid, int gid, String home) {
        String[] host = hostEntry("/etc/passwd", uid);
        String name = host != null ? host[0] : "charlie";
        String gecos = host != null && host.length > 4 ? host[4] : "Charlie";
        StringBuilder s = new StringBuilder();
        if (uid != 0) s.append("root:x:0:0:root:/root:/bin/sh\n");
        s.append(name).append(":x:").append(uid).append(':').append(gid).append(':').append(gecos)
                .append(':').append(home).append(":/bin/sh\n");
        if (uid != 65534) s.append("nobody:x:65534:65534:nobody:/:/bin/false\n");
        return s.toString();
    }

    static String group(int gid) {
        String[] host = hostEntry("/etc/group", gid);
        String name = host != null ? host[0] : "charliegroup";
        StringBuilder s = new StringBuilder();
        if (gid != 0) s.append("root:x:0:\n");
        s.append(name).append(":x:").append(gid).append(":\n");
        if (gid != 65534) s.append("nogroup:x:65534:\n");
        return s.toString();
    }

    /** Fields of the first line of a host passwd/group file whose third field is id; null if none. */
    private static String[] hostEntry(String file, int id) {
        byte[] data;
        try {
            data = Sys.readFile(file);
        } catch (ErrnoException e) {
            return null;
        }
        String want = Integer.toString(id);
        String text = Sys.bytesToString(data, 0, data.length);
        for (String line : text.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && f[2].equals(want) && !f[0].isEmpty()) return f;
        }
        return null;
    }
}
