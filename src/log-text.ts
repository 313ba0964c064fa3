// How text that did not come from this action's code is quoted in a message. A leaf module.

/** Shortens and flattens text quoted back in a message (no line breaks, bounded length). */
export function preview(value: string, max = 80): string {
  const flat = value.replace(/[\r\n]/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}… (${value.length} characters)` : flat;
}
