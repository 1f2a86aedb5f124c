/** ISO 8583 dialects, packagers, message classification, validation and card-data masking. */
package io.acqswitch.iso;
