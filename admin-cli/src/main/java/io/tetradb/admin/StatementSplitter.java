package io.tetradb.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits SQL text into single statements, because the server runs one statement per
 * request. A statement ends at a {@code ;} that stands outside quotes and comments, the
 * way H2's own tokenizer reads them: {@code '...'} strings and {@code "..."}
 * identifiers (a doubled quote stays inside), {@code $$...$$} strings, {@code --} and
 * {@code //} line comments, and {@code /* ... *}{@code /} block comments, which nest.
 * Text that holds only whitespace and comments is no statement.
 *
 * <p>Text can be fed in pieces (the lines of an interactive shell); a statement that is
 * not finished yet waits for the next piece.
 *
 * <pre>{@code
 * List<String> s = StatementSplitter.split("INSERT INTO T VALUES ('a;b'); -- done\nSELECT * FROM T");
 * // ["INSERT INTO T VALUES ('a;b')", "-- done\nSELECT * FROM T"]
 * }</pre>
 *
 * <p>Not thread-safe; one shell uses one splitter on its own thread.
 */
public final class StatementSplitter {
    private enum State { CODE, SINGLE_QUOTED, DOUBLE_QUOTED, DOLLAR_QUOTED, LINE_COMMENT, BLOCK_COMMENT }

    private final StringBuilder current = new StringBuilder();
    private State state = State.CODE;
    /** A character in CODE that may open a comment or a $$ string, depending on the next one. */
    private char pending;
    /** The character before the last, to tell a closing {@code $$}, {@code *}{@code /} or a nested {@code /*}. */
    private char previous;
    private int commentDepth;
    /** Whether the current statement holds anything besides whitespace and comments. */
    private boolean hasCode;
    /** Whether the last code character was part of an identifier (then {@code $$} is not a string start). */
    private boolean inWord;

    /** Splits a whole text; a last statement without {@code ;} counts too. */
    public static List<String> split(String text) {
        StatementSplitter s = new StatementSplitter();
        List<String> out = new ArrayList<>(s.feed(text));
        s.finish().ifPresent(out::add);
        return out;
    }

    /** Reads a piece of text; returns the statements it completed (without their {@code ;}, trimmed). */
    public List<String> feed(CharSequence text) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (accept(c)) {
                String statement = current.toString().strip();
                boolean code = hasCode;
                reset();
                if (code) {
                    out.add(statement);
                }
            }
        }
        return out;
    }

    /** Ends the input: the unfinished statement, if it holds any code (an open quote or comment stays in it). */
    public Optional<String> finish() {
        if (pending != 0) {
            hasCode = true;
        }
        String statement = current.toString().strip();
        boolean code = hasCode || state == State.SINGLE_QUOTED || state == State.DOUBLE_QUOTED
                || state == State.DOLLAR_QUOTED;
        reset();
        return code ? Optional.of(statement) : Optional.empty();
    }

    /** Whether an unfinished statement is waiting for more text (a shell shows a continuation prompt). */
    public boolean hasPartialStatement() {
        return hasCode || pending != 0 || state == State.SINGLE_QUOTED || state == State.DOUBLE_QUOTED
                || state == State.DOLLAR_QUOTED || state == State.BLOCK_COMMENT;
    }

    private void reset() {
        current.setLength(0);
        state = State.CODE;
        pending = 0;
        previous = 0;
        commentDepth = 0;
        hasCode = false;
        inWord = false;
    }

    /** Takes one character; true when it is a {@code ;} that ends the statement. */
    private boolean accept(char c) {
        switch (state) {
            case CODE:
                return code(c);
            case SINGLE_QUOTED:
                current.append(c);
                if (c == '\'') {
                    state = State.CODE;
                }
                return false;
            case DOUBLE_QUOTED:
                current.append(c);
                if (c == '"') {
                    state = State.CODE;
                }
                return false;
            case DOLLAR_QUOTED:
                current.append(c);
                if (c == '$' && previous == '$') {
                    state = State.CODE;
                    previous = 0;
                } else {
                    previous = c;
                }
                return false;
            case LINE_COMMENT:
                current.append(c);
                if (c == '\n' || c == '\r') {
                    state = State.CODE;
                }
                return false;
            case BLOCK_COMMENT:
                current.append(c);
                if (previous == '*' && c == '/') {
                    commentDepth--;
                    previous = 0;
                    if (commentDepth == 0) {
                        state = State.CODE;
                    }
                } else if (previous == '/' && c == '*') {
                    commentDepth++;
                    previous = 0;
                } else {
                    previous = c;
                }
                return false;
            default:
                throw new IllegalStateException(state.toString());
        }
    }

    private boolean code(char c) {
        if (pending != 0) {
            char p = pending;
            pending = 0;
            if (p == '-' && c == '-' || p == '/' && c == '/') {
                current.append(c);
                state = State.LINE_COMMENT;
                return false;
            }
            if (p == '/' && c == '*') {
                current.append(c);
                state = State.BLOCK_COMMENT;
                commentDepth = 1;
                previous = 0;
                return false;
            }
            if (p == '$' && c == '$') {
                current.append(c);
                state = State.DOLLAR_QUOTED;
                previous = 0;
                hasCode = true;
                return false;
            }
            // The held character was an operator (or a $ parameter): code after all.
            hasCode = true;
            inWord = false;
        }
        switch (c) {
            case ';':
                return true;
            case '\'':
                current.append(c);
                state = State.SINGLE_QUOTED;
                hasCode = true;
                inWord = false;
                return false;
            case '"':
                current.append(c);
                state = State.DOUBLE_QUOTED;
                hasCode = true;
                inWord = false;
                return false;
            case '-':
            case '/':
                current.append(c);
                pending = c;
                return false;
            case '$':
                current.append(c);
                if (inWord) {
                    hasCode = true; // H2 identifiers may hold '$': A$$B is a name, not a string
                } else {
                    pending = c;
                }
                return false;
            default:
                current.append(c);
                if (!Character.isWhitespace(c)) {
                    hasCode = true;
                    inWord = Character.isLetterOrDigit(c) || c == '_';
                } else {
                    inWord = false;
                }
                return false;
        }
    }
}
