import { stableHash } from '../core/hash.ts';
import { rowProblem, type RowLocation, type RowProblem } from '../data/problems.ts';
import { RowView } from '../data/rowView.ts';
import { readTable, tableFormatOf } from '../data/table.ts';
import { isProblem, type TableFormat } from '../data/tableTypes.ts';

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
  const map = options.map ?? {};
  const out: InstructionList = { instructions: [], rows: 0, problems: [], repeated: 0 };
  const byId = new Map<string, InstructionToAnswer>();
  const text = { ...(options.delimiter ? { delimiter: options.delimiter } : {}), ...(options.encoding ? { encoding: options.encoding } : {}) };
  for await (const item of readTable(file, { format, ...text })) {
    out.rows++;
    if (isProblem(item)) {
      out.problems.push(item.problem);
      continue;
    }
    const view = new RowView(item.record, item.location, map, format);
    const instruction = view.requiredText('instruction');
    const explicit = view.id('prompt_id');
    if (view.problems.length > 0) {
      out.problems.push(...view.problems);
      continue;
    }
    const promptId = explicit ?? stableHash({ instruction });
    const seen = byId.get(promptId);
    if (seen) {
      if (seen.instruction === instruction) out.repeated++;
      else {
        const where = seen.location.line !== undefined ? `line ${seen.location.line}` : `row ${seen.location.row}`;
        out.problems.push(rowProblem(item.location, `prompt_id "${promptId}" already names another instruction (${where})`, view.column('prompt_id')));
      }
      continue;
    }
    const entry = { promptId, instruction, location: item.location };
    byId.set(promptId, entry);
    out.instructions.push(entry);
  }
  return out;
}
