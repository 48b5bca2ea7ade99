// Errors the command line maps to usage mistakes (exit 2 with usage) rather than to failures of the data.

/**
 * The input cannot be read without a setting only the user can choose (which column holds the class, which pixel
 * convention x and y follow). `option` is the command-line option that gives it, without the dashes.
 */
export class SettingNeeded extends Error {
  constructor(readonly option: string, message: string) {
    super(message);
  }
}
