package io.tetradb.server.sql;

import org.h2.command.Prepared;
import org.h2.command.dml.DataChangeStatement;
import org.h2.command.query.Select;
import org.h2.command.query.SelectGroups;
import org.h2.engine.Procedure;
import org.h2.expression.Expression;
import org.h2.expression.ExpressionVisitor;
import org.h2.expression.aggregate.JavaAggregate;
import org.h2.expression.function.CSVWriteFunction;
import org.h2.expression.function.DBObjectFunction;
import org.h2.expression.function.FileFunction;
import org.h2.expression.function.JavaFunction;
import org.h2.expression.function.SessionControlFunction;
import org.h2.expression.function.table.CSVReadFunction;
import org.h2.expression.function.table.JavaTableFunction;
import org.h2.expression.function.table.LinkSchemaFunction;
import org.h2.message.DbException;
import org.h2.table.Column;
import org.h2.table.DataChangeDeltaTable;
import org.h2.table.RangeTable;
import org.h2.table.Table;
import org.h2.table.TableFilter;
import org.h2.table.TableView;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks the tree H2's parser built for one statement (an {@link org.h2.command.Prepared}
 * with its queries, table filters, expressions, subqueries, derived tables, CTEs, table
 * functions and the queries of the views it reads) and answers two questions about it:
 *
 * <ol>
 *   <li>{@link #hasWriteEffect}: does running it change data or sequences, take row locks or
 *       run user code, at any depth? True for a data-change delta table ({@code FINAL / NEW /
 *       OLD TABLE}), any node H2's {@code READONLY} expression visitor rejects ({@code NEXT
 *       VALUE FOR}, {@code SET(@v, ...)}, {@code FILE_WRITE}, {@code CSVWRITE}, session
 *       control), a {@code SELECT ... FOR UPDATE} at any level, a call of a user-defined Java
 *       function, aggregate or table function (always: its code is unknown), a table with a
 *       SELECT trigger, and a view whose query has any of these.</li>
 *   <li>{@link #callsFileOrCode}: does what the statement itself defines (its view query
 *       with derived tables and table functions, column defaults, ON UPDATE and generated
 *       expressions, check constraints, domains; not the stored views and tables it names)
 *       call a function that needs H2's admin rights to run (file access, CSV, linked
 *       schemas, user Java code, session control, object definitions)? Used on DDL so that
 *       nothing a non-admin account defines runs later with admin rights.</li>
 * </ol>
 *
 * <p>H2 keeps most of this tree in private fields and has no general child accessor
 * ({@code Expression.getSubexpression} is not implemented by every node), so the walk
 * follows, by reflection, every field whose value is a node of H2's command, expression or
 * table-function packages, a table filter, a table, or a collection or array of them. It
 * never reads the statement's text. Stored tables are not entered (their columns' defaults
 * do not run on reads), nor are the columns an expression reads; for the first question the
 * queries of views, derived tables, CTEs and table functions are. A walk that fails in any
 * way answers "yes" (the conservative answer).
 *
 * <p>Stateless; each call walks on the caller's thread (a session's worker thread).
 */
final class CommandTree {
    private CommandTree() {
    }

    private enum Question { WRITE_EFFECT, FILE_OR_CODE, NON_DETERMINISTIC }

    private static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
            return followedFields(type);
        }
    };

    /** Whether running {@code p} changes data or sequences, locks rows or runs user code. */
    static boolean hasWriteEffect(Object p) {
        return walk(p, Question.WRITE_EFFECT);
    }

    /** Whether {@code p} itself defines a call of a file, code or other admin-only function. */
    static boolean callsFileOrCode(Object p) {
        return walk(p, Question.FILE_OR_CODE);
    }

    /**
     * Whether what {@code p} defines or computes may give other values when run again: an
     * expression H2's {@code DETERMINISTIC} visitor rejects ({@code RAND()}, {@code NOW()},
     * {@code RANDOM_UUID()}, a sequence, user code) in a column it defines or in a query it
     * runs (views it reads included). Used on DDL: the log then records the contents it
     * produced rather than counting on the statement to produce them again.
     */
    static boolean isNonDeterministic(Object p) {
        return walk(p, Question.NON_DETERMINISTIC);
    }

    private static boolean walk(Object root, Question q) {
        try {
            return new Walk(q).visit(root, null);
        } catch (RuntimeException | LinkageError e) {
            // Concurrent DDL changing a view's tree, or an H2 class that changed shape:
            // say "yes" rather than let a write through as a read.
            return true;
        }
    }

    /** One walk: the nodes already seen (trees share nodes and point back to parents). */
    private static final class Walk {
        private final Question question;
        private final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());

        Walk(Question question) {
            this.question = question;
        }

        /** True as soon as a node answers the question; {@code holder} is the node holding it. */
        boolean visit(Object node, Object holder) {
            if (node == null || !seen.add(node)) {
                return false;
            }
            if (node instanceof Collection<?> c) {
                for (Object o : c.toArray()) {
                    if (follow(o, holder)) {
                        return true;
                    }
                }
                return false;
            }
            if (node instanceof Map<?, ?> m) {
                return visit(new ArrayList<>(m.keySet()), holder) || visit(new ArrayList<>(m.values()), holder);
            }
            if (node instanceof Object[] a) {
                for (Object o : a) {
                    if (follow(o, holder)) {
                        return true;
                    }
                }
                return false;
            }
            Boolean verdict = switch (question) {
                case WRITE_EFFECT -> writeVerdict(node);
                case FILE_OR_CODE -> fileOrCodeVerdict(node);
                case NON_DETERMINISTIC -> nonDeterministicVerdict(node);
            };
            if (verdict != null) {
                return verdict;
            }
            Class<?> stop = node instanceof Table ? Table.class : Object.class;
            for (Class<?> c = node.getClass(); c != null && c != stop; c = c.getSuperclass()) {
                for (Field f : FIELDS.get(c)) {
                    Object value;
                    try {
                        value = f.get(node);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                    if (follow(value, node)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private boolean follow(Object value, Object holder) {
            if (value == null) {
                return false;
            }
            if (value instanceof Collection || value instanceof Map || value instanceof Object[]) {
                return visit(value, holder);
            }
            return isNode(value, holder) && visit(value, holder);
        }

        /** Whether a value is part of the statement's tree (rather than data, the session or the catalog). */
        private boolean isNode(Object v, Object holder) {
            if (v instanceof Column) {
                // A column's default and generated expressions are the statement's own only where a
                // CREATE / ALTER defines the column; a column an expression reads is not entered.
                return question != Question.WRITE_EFFECT && !(holder instanceof Expression)
                        && !(holder instanceof Table) && holder != null
                        && holder.getClass().getName().startsWith("org.h2.command.");
            }
            if (v instanceof SelectGroups) {
                return false; // execution state; its expressions are the Select's own
            }
            if (v instanceof Expression || v instanceof Prepared || v instanceof TableFilter
                    || v instanceof Table || v instanceof Procedure) {
                return true;
            }
            String name = v.getClass().getName();
            return name.startsWith("org.h2.command.") || name.startsWith("org.h2.expression.");
        }

        /** TRUE: the statement writes; FALSE: this node and what is below it do not; null: look below. */
        private Boolean writeVerdict(Object node) {
            if (node instanceof DataChangeStatement) {
                return Boolean.TRUE;
            }
            if (node instanceof JavaFunction || node instanceof JavaAggregate || node instanceof JavaTableFunction) {
                return Boolean.TRUE;
            }
            if (node instanceof Expression e && !readOnly(e)) {
                return Boolean.TRUE;
            }
            if (node instanceof Select s && s.getForUpdate() != null) {
                return Boolean.TRUE;
            }
            if (node instanceof Table t) {
                if (t instanceof DataChangeDeltaTable || t.hasSelectTrigger()) {
                    return Boolean.TRUE;
                }
                // Views, derived tables, CTEs and table functions are entered (their queries run);
                // stored tables are not.
                return entered(t) || t instanceof TableView ? null : Boolean.FALSE;
            }
            return null;
        }

        private Boolean fileOrCodeVerdict(Object node) {
            if (node instanceof FileFunction || node instanceof CSVWriteFunction || node instanceof CSVReadFunction
                    || node instanceof LinkSchemaFunction || node instanceof JavaFunction
                    || node instanceof JavaAggregate || node instanceof JavaTableFunction
                    || node instanceof SessionControlFunction || node instanceof DBObjectFunction) {
                return Boolean.TRUE;
            }
            if (node instanceof Table t) {
                // What the statement itself defines (derived tables, CTEs, table functions, delta tables)
                // is entered; stored tables and views are not: their definitions are not this statement's.
                return entered(t) ? null : Boolean.FALSE;
            }
            return null;
        }
    }

    private static Boolean nonDeterministicVerdict(Object node) {
        if (node instanceof JavaFunction || node instanceof JavaAggregate || node instanceof JavaTableFunction) {
            return Boolean.TRUE;
        }
        if (node instanceof Expression e && !deterministic(e)) {
            return Boolean.TRUE;
        }
        if (node instanceof Table t) {
            // The queries of views, derived tables, CTEs and table functions run; stored tables are data.
            return entered(t) || t instanceof TableView ? null : Boolean.FALSE;
        }
        return null;
    }

    /** H2's DETERMINISTIC verdict on one expression node; a node that cannot answer is looked below. */
    private static boolean deterministic(Expression e) {
        try {
            return e.isEverything(ExpressionVisitor.DETERMINISTIC_VISITOR);
        } catch (DbException ex) {
            return true;
        }
    }

    /**
     * H2's own verdict on one expression node (and the nodes below it). A node that cannot
     * answer (H2 throws for a few nodes that are replaced during preparation) counts as
     * read-only here: the nodes below it are still visited one by one.
     */
    private static boolean readOnly(Expression e) {
        try {
            return e.isEverything(ExpressionVisitor.READONLY_VISITOR);
        } catch (DbException ex) {
            return true;
        }
    }

    /** Tables whose contents the statement computes (derived, CTE, table function, delta, range). */
    private static boolean entered(Table t) {
        return t.getTableType() == null || t instanceof RangeTable;
    }

    private static List<Field> followedFields(Class<?> type) {
        List<Field> out = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            Class<?> t = f.getType();
            if (Modifier.isStatic(f.getModifiers()) || t.isPrimitive() || t == String.class
                    || (t.isArray() && t.getComponentType().isPrimitive()) || !mayHoldNode(t)) {
                continue;
            }
            f.setAccessible(true);
            out.add(f);
        }
        return List.copyOf(out);
    }

    /** Whether a field of this declared type may hold a node (or a collection of them). */
    private static boolean mayHoldNode(Class<?> t) {
        if (t.isArray()) {
            return mayHoldNode(t.getComponentType());
        }
        if (t == Object.class || t.isInterface() || Collection.class.isAssignableFrom(t)
                || Map.class.isAssignableFrom(t)) {
            return true;
        }
        String n = t.getName();
        return n.startsWith("org.h2.command.") || n.startsWith("org.h2.expression.") || n.startsWith("org.h2.mode.")
                || n.startsWith("org.h2.table.") || n.equals(Procedure.class.getName());
    }
}
