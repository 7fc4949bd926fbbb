package chj.ocirt;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ch-run-oci features}: what this runtime implements, as runtime-spec features.md describes it. */
final class Features {
    private Features() {}

    static String json() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("ociVersionMin", "1.0.0");
        f.put("ociVersionMax", Main.SPEC_VERSION);
        f.put("hooks", List.of());
        f.put("mountOptions", List.of("bind", "rbind"));
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("namespaces", List.of("user", "mount", "network"));
        linux.put("capabilities", List.of());
        linux.put("cgroup", Map.of("v1", false, "v2", false, "systemd", false, "systemdUser", false));
        linux.put("seccomp", Map.of("enabled", false));
        linux.put("apparmor", Map.of("enabled", false));
        linux.put("selinux", Map.of("enabled", false));
        linux.put("intelRdt", Map.of("enabled", false));
        f.put("linux", linux);
        f.put("annotations", Map.of("org.chj.runtime", "ch-run: user and mount namespaces, root emulation by seccomp"));
        return Json.write(f, true);
    }
}
