/**
 * The operations console: server-rendered pages under {@code /console} on the admin port (live
 * figures, search, a transaction's history, the SAF queue with its audited actions, reconciliation),
 * behind a login with the admin token, a session cookie and CSRF tokens.
 */
package io.acqswitch.console;
