package io.tetradb.admin;

/** Placeholder until the CLI lands. */
public final class AdminMain {
    private AdminMain() {
    }

    public static void main(String[] args) {
        System.err.println("tetra-admin: not built yet");
        System.exit(1);
    }
}
