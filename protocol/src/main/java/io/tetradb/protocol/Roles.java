package io.tetradb.protocol;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one text form of roles, shared by the server's user file and the command line:
 * {@code admin}, {@code user} or {@code reader}, in any case when read.
 *
 * <pre>{@code
 * Roles.parse("Reader");        // Optional[READER]
 * Roles.parse("boss");          // Optional.empty
 * }</pre>
 *
 * <p>Stateless; any thread.
 */
public final class Roles {
    /** The role names, in the order help texts list them. */
    public static final List<String> NAMES = List.of("admin", "user", "reader");

    private Roles() {
    }

    /** The role {@code text} names (admin, user or reader, any case); empty when it names none. */
    public static Optional<Role> parse(String text) {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "admin":
                return Optional.of(Role.ADMIN);
            case "user":
                return Optional.of(Role.USER);
            case "reader":
                return Optional.of(Role.READER);
            default:
                return Optional.empty();
        }
    }
}
