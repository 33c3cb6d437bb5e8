package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the benchmark ran on, and the figures read from /proc while it runs. */
final class Machine {
    private Machine() {
    }

    static ObjectNode describe(Path workDir) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("processors", Runtime.getRuntime().availableProcessors());
        o.put("cpu", firstMatch(Path.of("/proc/cpuinfo"), "model name"));
        o.put("memTotalKiB", meminfoKiB("MemTotal"));
        o.put("kernel", read(Path.of("/proc/sys/kernel/osrelease")).trim());
        o.put("os", osName());
        o.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        o.put("disk", run(List.of("df", "-hT", workDir.toString())).trim());
        o.put("loadAverageAtStart", loadAverage());
        return o;
    }

    /** VmRSS of a process in KiB, or -1. */
    static long rssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** CPU time (user + system) a process has used, in seconds, from /proc/<pid>/stat; -1 when unknown. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name (which may hold spaces) start after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** /proc/loadavg's first three figures. */
    static String loadAverage() {
        String s = read(Path.of("/proc/loadavg")).trim();
        String[] p = s.split("\\s+");
        return p.length >= 3 ? p[0] + " " + p[1] + " " + p[2] : s;
    }

    static long meminfoKiB(String key) {
        String v = firstMatch(Path.of("/proc/meminfo"), key);
        try {
            return Long.parseLong(v.replaceAll("[^0-9]", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String osName() {
        for (String line : read(Path.of("/etc/os-release")).split("\n")) {
            if (line.startsWith("PRETTY_NAME=")) {
                return line.substring("PRETTY_NAME=".length()).replace("\"", "");
            }
        }
        return System.getProperty("os.name");
    }

    private static String firstMatch(Path file, String key) {
        for (String line : read(file).split("\n")) {
            if (line.startsWith(key)) {
                int i = line.indexOf(':');
                return i < 0 ? line : line.substring(i + 1).trim();
            }
        }
        return "";
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs a short command and returns its output ("" when it fails). */
    static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
