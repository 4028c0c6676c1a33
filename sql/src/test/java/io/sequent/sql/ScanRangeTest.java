package io.sequent.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.junit.jupiter.api.Test;

/** Row layout here: 0 = a value column, 1 = ROWTIME, 2 = ROWPARTITION, 3 = ROWOFFSET. */
class ScanRangeTest {
    private final JavaTypeFactoryImpl types = new JavaTypeFactoryImpl();
    private final RexBuilder rex = new RexBuilder(types);
    private final RelDataType bigint = types.createSqlType(SqlTypeName.BIGINT);
    private final RelDataType integer = types.createSqlType(SqlTypeName.INTEGER);

    private RexNode offset() {
        return rex.makeInputRef(bigint, 3);
    }

    private RexNode partition() {
        return rex.makeInputRef(integer, 2);
    }

    private RexNode value() {
        return rex.makeInputRef(bigint, 0);
    }

    private RexNode number(final long n) {
        return rex.makeExactLiteral(BigDecimal.valueOf(n));
    }

    private static Object[] row(final long value, final int partition, final long offset) {
        return new Object[] {value, 0L, partition, offset};
    }

    @Test
    void aSargRangeAndAnInListAreExpandedTakenAndRemoved() {
        final List<RexNode> filters = new ArrayList<>();
        filters.add(rex.makeIn(partition(), List.of(number(0), number(2))));
        filters.add(rex.makeBetween(offset(), number(5), number(7)));
        filters.add(rex.makeCall(SqlStdOperatorTable.GREATER_THAN, value(), number(0)));
        final List<RexNode> given = new ArrayList<>(filters);
        final ScanRange range = ScanRange.take(filters, 1, rex);
        assertEquals(List.of(given.get(2)), filters, "only the value filter is left for Calcite");
        assertTrue(range.readsPartition(0));
        assertFalse(range.readsPartition(1));
        assertTrue(range.readsPartition(2));
        assertEquals(5, range.offsetLow());
        assertEquals(8, range.offsetHigh());
        assertTrue(range.matches(row(-1, 2, 7)), "the value filter is not the range's to check");
        assertFalse(range.matches(row(1, 2, 8)));
        assertFalse(range.matches(row(1, 1, 6)));
    }

    @Test
    void aMixedConjunctionNarrowsTheScanButStaysForCalcite() {
        final RexNode mixed = rex.makeCall(SqlStdOperatorTable.AND,
            rex.makeCall(SqlStdOperatorTable.LESS_THAN, number(3), offset()),
            rex.makeCall(SqlStdOperatorTable.EQUALS, value(), number(9)));
        final List<RexNode> filters = new ArrayList<>(List.of(mixed));
        final ScanRange range = ScanRange.take(filters, 1, rex);
        assertEquals(List.of(mixed), filters);
        assertEquals(4, range.offsetLow(), "3 < ROWOFFSET, operands reversed");
        assertEquals(Long.MAX_VALUE, range.offsetHigh());
    }

    @Test
    void whatIsNotARangeOfAPseudoColumnIsLeftAlone() {
        final List<RexNode> filters = new ArrayList<>();
        filters.add(rex.makeCall(SqlStdOperatorTable.NOT_EQUALS, offset(), number(3)));
        filters.add(rex.makeCall(SqlStdOperatorTable.OR,
            rex.makeCall(SqlStdOperatorTable.EQUALS, partition(), number(1)),
            rex.makeCall(SqlStdOperatorTable.EQUALS, value(), number(1))));
        filters.add(rex.makeCall(SqlStdOperatorTable.GREATER_THAN, offset(),
            rex.makeExactLiteral(new BigDecimal("2.5"))));
        filters.add(rex.makeCall(SqlStdOperatorTable.EQUALS, offset(), value()));
        final List<RexNode> given = new ArrayList<>(filters);
        final ScanRange range = ScanRange.take(filters, 1, rex);
        assertEquals(given, filters);
        assertTrue(range.matches(row(0, 7, 100)));
        assertEquals(Long.MIN_VALUE, range.offsetLow());
    }
}
