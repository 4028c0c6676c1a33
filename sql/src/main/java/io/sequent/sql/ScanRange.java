package io.sequent.sql;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;

/**
 * The partitions, offsets and record times a scan must read, taken from the query's filter: conjuncts that
 * compare {@code ROWPARTITION}, {@code ROWOFFSET} or {@code ROWTIME} with literals ({@code =, <, <=, >, >=},
 * {@code BETWEEN}, {@code IN}; Calcite hands ranges and lists over as {@code SEARCH} with a {@code Sarg},
 * expanded here first). Each such conjunct is removed from the list Calcite gave, so Calcite does not apply
 * it again; {@link #matches} applies all of them exactly, the snapshot uses them to skip partitions and
 * offsets. Other conjuncts stay in the list for Calcite.
 *
 * <p>Bounds are half-open, {@code [low, high)}.
 */
final class ScanRange {
    private final int rowtime;
    private Set<Integer> partitions;
    private long partitionLow = Long.MIN_VALUE;
    private long partitionHigh = Long.MAX_VALUE;
    private long offsetLow = Long.MIN_VALUE;
    private long offsetHigh = Long.MAX_VALUE;
    private long timeLow = Long.MIN_VALUE;
    private long timeHigh = Long.MAX_VALUE;

    private ScanRange(final int rowtime) {
        this.rowtime = rowtime;
    }

    /** A range that reads everything. */
    static ScanRange all() {
        return new ScanRange(-1);
    }

    /**
     * @param filters the conjuncts of the query's filter; those taken are removed.
     * @param rowtime the index of ROWTIME in the row (ROWPARTITION and ROWOFFSET follow it).
     * @param builder to expand {@code SEARCH}.
     */
    static ScanRange take(final List<RexNode> filters, final int rowtime, final RexBuilder builder) {
        final ScanRange range = new ScanRange(rowtime);
        final Iterator<RexNode> it = filters.iterator();
        while (it.hasNext()) {
            final RexNode filter = it.next();
            boolean all = true;
            for (final RexNode conjunct : RelOptUtil.conjunctions(filter)) {
                final ScanRange attempt = range.copy();
                if (attempt.apply(RexUtil.expandSearch(builder, null, conjunct))) {
                    range.assign(attempt);
                } else {
                    all = false;
                }
            }
            if (all) {
                it.remove();
            }
        }
        return range;
    }

    /** The partitions to read among {@code 0 .. count - 1}. */
    boolean readsPartition(final int partition) {
        return (partitions == null || partitions.contains(partition))
            && partition >= partitionLow && partition < partitionHigh;
    }

    long offsetLow() {
        return offsetLow;
    }

    long offsetHigh() {
        return offsetHigh;
    }

    /** The lowest record time the scan wants, or {@code Long.MIN_VALUE}. */
    long timeLow() {
        return timeLow;
    }

    /** Whether a full row (pseudo columns included) lies within the range. */
    boolean matches(final Object[] row) {
        if (rowtime < 0) {
            return true;
        }
        final long time = (Long) row[rowtime];
        final int partition = (Integer) row[rowtime + 1];
        final long offset = (Long) row[rowtime + 2];
        return readsPartition(partition) && offset >= offsetLow && offset < offsetHigh
            && time >= timeLow && time < timeHigh;
    }

    private boolean apply(final RexNode node) {
        if (node.getKind() == SqlKind.AND) {
            for (final RexNode operand : ((RexCall) node).getOperands()) {
                if (!apply(operand)) {
                    return false;
                }
            }
            return true;
        }
        if (node.getKind() == SqlKind.OR) {
            return applyPartitionList(RelOptUtil.disjunctions(node));
        }
        if (!(node instanceof RexCall call) || call.getOperands().size() != 2) {
            return false;
        }
        SqlKind kind = node.getKind();
        RexNode left = call.getOperands().get(0);
        RexNode right = call.getOperands().get(1);
        if (left instanceof RexLiteral && right instanceof RexInputRef) {
            final RexNode swap = left;
            left = right;
            right = swap;
            kind = kind.reverse();
        }
        if (!(left instanceof RexInputRef ref) || !(right instanceof RexLiteral literal)) {
            return false;
        }
        final Long value = integral(literal);
        final int column = ref.getIndex() - rowtime;
        if (value == null || column < 0 || column > 2) {
            return false;
        }
        final long v = value;
        final long low;
        final long high;
        switch (kind) {
            case EQUALS -> {
                low = v;
                high = v + 1;
            }
            case GREATER_THAN -> {
                low = v + 1;
                high = Long.MAX_VALUE;
            }
            case GREATER_THAN_OR_EQUAL -> {
                low = v;
                high = Long.MAX_VALUE;
            }
            case LESS_THAN -> {
                low = Long.MIN_VALUE;
                high = v;
            }
            case LESS_THAN_OR_EQUAL -> {
                low = Long.MIN_VALUE;
                high = v + 1;
            }
            default -> {
                return false;
            }
        }
        if (column == 0) {
            timeLow = Math.max(timeLow, low);
            timeHigh = Math.min(timeHigh, high);
        } else if (column == 1) {
            partitionLow = Math.max(partitionLow, low);
            partitionHigh = Math.min(partitionHigh, high);
        } else {
            offsetLow = Math.max(offsetLow, low);
            offsetHigh = Math.min(offsetHigh, high);
        }
        return true;
    }

    /** {@code ROWPARTITION = a OR ROWPARTITION = b ...}: the set of partitions. */
    private boolean applyPartitionList(final List<RexNode> disjuncts) {
        final Set<Integer> set = new TreeSet<>();
        for (final RexNode disjunct : disjuncts) {
            if (disjunct.getKind() != SqlKind.EQUALS) {
                return false;
            }
            final List<RexNode> operands = ((RexCall) disjunct).getOperands();
            final RexNode ref = operands.get(0) instanceof RexInputRef ? operands.get(0) : operands.get(1);
            final RexNode lit = ref == operands.get(0) ? operands.get(1) : operands.get(0);
            if (!(ref instanceof RexInputRef input) || input.getIndex() != rowtime + 1
                || !(lit instanceof RexLiteral literal)) {
                return false;
            }
            final Long value = integral(literal);
            if (value == null || value < 0 || value > Integer.MAX_VALUE) {
                return false;
            }
            set.add(value.intValue());
        }
        if (partitions != null) {
            set.retainAll(partitions);
        }
        partitions = set;
        return true;
    }

    private static Long integral(final RexLiteral literal) {
        if (literal.isNull()) {
            return null;
        }
        if (literal.getType().getFamily() == SqlTypeFamily.TIMESTAMP) {
            return literal.getValueAs(Long.class);
        }
        if (literal.getType().getFamily() != SqlTypeFamily.NUMERIC) {
            return null;
        }
        final BigDecimal value = literal.getValueAs(BigDecimal.class);
        try {
            return value.longValueExact();
        } catch (final ArithmeticException e) {
            return null;
        }
    }

    private ScanRange copy() {
        final ScanRange out = new ScanRange(rowtime);
        out.assign(this);
        return out;
    }

    private void assign(final ScanRange other) {
        partitions = other.partitions == null ? null : new TreeSet<>(other.partitions);
        partitionLow = other.partitionLow;
        partitionHigh = other.partitionHigh;
        offsetLow = other.offsetLow;
        offsetHigh = other.offsetHigh;
        timeLow = other.timeLow;
        timeHigh = other.timeHigh;
    }
}
