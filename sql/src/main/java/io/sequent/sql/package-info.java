/**
 * SQL over topics: the catalog of streams and tables (kept in a topic), topic tables on Calcite's runtime
 * with partition, offset and time ranges pushed into the scan, and the embedded JDBC driver
 * {@code jdbc:sequent:bootstrap=host:port}. Reads and writes topics through the client only, never a
 * server module, so it runs beside the brokers or away from them.
 */
package io.sequent.sql;
