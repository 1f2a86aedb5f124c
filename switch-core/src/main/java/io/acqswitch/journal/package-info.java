/** The transaction journal: every persisted change of a record, copied asynchronously to SQL for look-ups, the operations API and reconciliation. */
package io.acqswitch.journal;
