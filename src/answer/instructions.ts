import { stableHash } from '../core/hash.ts';
import type { RowLocation, RowProblem } from '../data/problems.ts';
import { describePosition, packPosition } from '../data/readContext.ts';
import { rowLoop, type RowLoopContext } from '../data/rowLoop.ts';
import type { RowView } from '../data/rowView.ts';
import { readTable, tableFormatOf } from '../data/table.ts';
import type { TableFormat } from '../data/tableTypes.ts';

/** One instruction to put to the model under test. */
export interface InstructionToAnswer {
  promptId: string;
  instruction: string;
  location: RowLocation;
}

export interface InstructionReadOptions {
  format?: TableFormat;
  /** Our column name → the file's (`--map instruction=prompt`). */
  map?: Record<string, string>;
  /** CSV: the field delimiter (detected from the header row when absent). */
  delimiter?: string;
  /** The file's text encoding (UTF-8 when absent). */
  encoding?: string;
}

export interface InstructionList {
  instructions: InstructionToAnswer[];
  rows: number;
  problems: RowProblem[];
  /** Rows that repeat an instruction already listed (POLLUX rows: one per answer and criterion). */
  repeated: number;
}

/**
 * The instructions of a dataset, each once, in file order. The id is `prompt_id` (POLLUX-instructions),
 * else a hash of the instruction text (an `id` column names an answer, not an instruction), so the answers join back to the dataset by
 * `prompt_id` in `pollux run DATASET --answers`. The list is held in memory: one entry per distinct
 * instruction (POLLUX has about 2,100).
 */
export async function readInstructions(file: string, options: InstructionReadOptions = {}): Promise<InstructionList> {
  const format = tableFormatOf(file, options.format);
  const out: InstructionList = { instructions: [], rows: 0, problems: [], repeated: 0 };
  const byId = new Map<string, InstructionToAnswer>();
  const text = { ...(options.delimiter ? { delimiter: options.delimiter } : {}), ...(options.encoding ? { encoding: options.encoding } : {}) };
  // Every problem is listed for the caller to report; none ends the read.
  const ctx: RowLoopContext = {
    map: options.map ?? {},
    countRow: () => out.rows++,
    reject: (problems) => out.problems.push(...problems),
  };
  const source = { table: readTable(file, { format, ...text }), format, counts: { rows: 0, rejected: 0, columns: null } };
  const read = (view: RowView): InstructionToAnswer | null => {
    const instruction = view.requiredText('instruction');
    const explicit = view.id('prompt_id');
    if (view.problems.length > 0) return null;
    const promptId = explicit ?? stableHash({ instruction });
    const seen = byId.get(promptId);
    if (seen) {
      if (seen.instruction === instruction) out.repeated++;
      else view.problem(`prompt_id "${promptId}" already names another instruction (${describePosition(packPosition(seen.location))})`, 'prompt_id');
      return null;
    }
    const entry = { promptId, instruction, location: view.location };
    byId.set(promptId, entry);
    return entry;
  };
  for await (const entry of rowLoop(ctx, source, { read })) out.instructions.push(entry);
  return out;
}
