import { z } from 'zod';

/** Slack's view.state.values: block_id -> action_id -> element state. */
const elementState = z
  .object({
    value: z.string().nullish(),
    selected_date: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
  })
  .loose();
export const viewStateSchema = z.record(z.string(), z.record(z.string(), elementState));
export type ViewStateValues = z.infer<typeof viewStateSchema>;

/** The trimmed text of a plain-text input, or null when it is empty or absent. */
export function inputText(values: ViewStateValues, blockId: string, actionId: string): string | null {
  const v = values[blockId]?.[actionId]?.value?.trim();
  return v ? v : null;
}
