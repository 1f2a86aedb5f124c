/** The transaction journal: every persisted change of a record, copied asynchronously to SQL for look-ups, the operations API (admin.OpsApi) and reconciliation. */
package io.acqswitch.journal;
