/**
 * Sequent's SQL grammar: Calcite's {@code Parser.jj} extended at build time (FMPP, then JavaCC) with
 * {@code CREATE STREAM|TABLE}, {@code DROP STREAM|TABLE}, {@code SHOW} and {@code EMIT CHANGES}, and the
 * tree nodes those statements parse into. The generated parser is {@code io.sequent.sql.parser.impl}.
 */
package io.sequent.sql.parser;
