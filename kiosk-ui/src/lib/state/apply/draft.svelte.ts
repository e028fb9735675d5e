import type { AnswerErrorsPayload } from '@onevisit/protocol';
import {
  FormView,
  isAnswered,
  pathKey,
  readAnswer,
  setOf,
  topField,
  type AnswerValue,
  type Answers,
  type Field,
  type FieldPath,
  type FieldProblem,
  type FormDefinition,
  type GroupItem,
  type Section,
} from '../application-form.ts';

type GroupField = Extract<Field, { type: 'group' }>;

/** What Forms.Prefill gave: the answers from the card and this visit, and which may not change. */
export type Prefill = {
  readonly answers: Answers;
  readonly sources: Readonly<Record<string, 'card' | 'visit'>>;
  readonly lockedFields: readonly string[];
};

/**
 * The answers of one application and what the citizen has been shown about them (problems,
 * the field being typed in, the signature). Personal data: it lives only as long as the
 * application flow keeps it, and goes with it.
 */
export class Draft {
  answers = $state<Answers>({});
  readonly sources: Readonly<Record<string, 'card' | 'visit'>>;
  readonly locked: ReadonlySet<string>;
  /** Problems the agent found (`payload.errors`), by path, until that answer changes. */
  serverErrors = $state.raw<Readonly<Record<string, FieldProblem>>>({});
  /** Sections the visit already answered completely (card + earlier forms): not asked again. */
  skipped = $state.raw<ReadonlySet<string>>(setOf());
  /** Paths whose own problems show (the citizen left them), and sections whose all problems show (tried "next"). */
  touched = $state.raw<ReadonlySet<string>>(setOf());
  revealed = $state.raw<ReadonlySet<string>>(setOf());
  /** The text field the on-screen keyboard types into. */
  active = $state.raw<FieldPath | undefined>(undefined);
  signaturePng = $state.raw<string | undefined>(undefined);
  signatureMissing = $state(false);

  readonly #definition: FormDefinition;
  readonly #today: string;
  readonly view = $derived.by(() => new FormView(this.#definition, this.answers, this.#today));
  /** Visible sections still to be asked, in order. */
  readonly steps = $derived(this.view.visibleSections().filter((s) => !this.skipped.has(s.id)));

  constructor(definition: FormDefinition, prefill: Prefill, today: string) {
    this.#definition = definition;
    this.#today = today;
    const answers = { ...prefill.answers };
    // A required repeating group starts with one empty row to fill.
    for (const section of definition.sections) {
      for (const field of section.fields) {
        if (field.type === 'group' && !Array.isArray(answers[field.id])) {
          const rows = Math.max(field.minItems ?? 0, field.required === true ? 1 : 0);
          answers[field.id] = Array.from({ length: rows }, () => ({}));
        }
      }
    }
    this.answers = answers;
    this.sources = prefill.sources;
    this.locked = setOf(prefill.lockedFields);
    this.skipped = this.#given();
  }

  /** A section is not asked again when every visible field of it came from the card or this visit and all are valid. */
  #given(): ReadonlySet<string> {
    const skipped: string[] = [];
    for (const section of this.view.visibleSections()) {
      const fields = this.view.visibleFields(section);
      const given = fields.length > 0 && fields.every((f) => this.sources[f.id] !== undefined && isAnswered(this.answers[f.id]));
      if (given && this.view.sectionErrors(section).length === 0) skipped.push(section.id);
    }
    return setOf(skipped);
  }

  // ------------------------------------------------------------------ answers

  value(path: FieldPath): AnswerValue | undefined {
    return readAnswer(this.answers, path);
  }

  text(path: FieldPath): string {
    const v = this.value(path);
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
  }

  isLocked(path: FieldPath): boolean {
    return path.row === undefined && this.locked.has(path.field);
  }

  set(path: FieldPath, value: AnswerValue | undefined): void {
    if (this.isLocked(path)) return;
    if (path.row === undefined || path.sub === undefined) {
      this.answers[path.field] = value;
    } else {
      const rows = this.answers[path.field];
      if (!Array.isArray(rows)) return;
      const row = rows[path.row] as GroupItem | undefined;
      if (row === undefined) return;
      row[path.sub] = value;
    }
    const key = pathKey(path);
    if (this.serverErrors[key] !== undefined || this.serverErrors[path.field] !== undefined) {
      const next = { ...this.serverErrors };
      delete next[key];
      delete next[path.field];
      this.serverErrors = next;
    }
  }

  /** A choice, yes/no or selection was made: its problem may show at once. */
  pick(path: FieldPath, value: AnswerValue | undefined): void {
    this.set(path, value);
    this.touch(path);
  }

  toggleOption(path: FieldPath, option: string): void {
    const current = this.value(path);
    const list = Array.isArray(current) ? (current as string[]) : [];
    this.pick(path, list.includes(option) ? list.filter((o) => o !== option) : [...list, option]);
  }

  touch(path: FieldPath): void {
    const key = pathKey(path);
    if (!this.touched.has(key)) this.touched = setOf([...this.touched, key]);
  }

  focus(path: FieldPath | undefined): void {
    const previous = this.active;
    if (previous !== undefined && (path === undefined || pathKey(previous) !== pathKey(path))) {
      if (this.text(previous) !== '') this.touch(previous);
    }
    this.active = path;
  }

  addRow(group: GroupField): void {
    const rows = this.answers[group.id];
    const list = Array.isArray(rows) ? (rows as GroupItem[]) : [];
    if (group.maxItems !== undefined && list.length >= group.maxItems) return;
    this.answers[group.id] = [...list, {}];
    this.active = undefined;
  }

  removeRow(group: GroupField, row: number): void {
    const rows = this.answers[group.id];
    if (!Array.isArray(rows)) return;
    this.answers[group.id] = (rows as GroupItem[]).filter((_, i) => i !== row);
    this.active = undefined;
    // Paths of later rows moved: forget what was shown for this group.
    this.touched = setOf([...this.touched].filter((k) => topField(k) !== group.id));
    const next = { ...this.serverErrors };
    for (const key of Object.keys(next)) if (topField(key) === group.id) delete next[key];
    this.serverErrors = next;
  }

  setSignature(png: string | undefined): void {
    this.signaturePng = png;
    if (png !== undefined) this.signatureMissing = false;
  }

  // ------------------------------------------------------------------ problems

  /** The problem to show for a path now, if any. */
  problem(path: FieldPath | string): FieldProblem | undefined {
    const key = typeof path === 'string' ? path : pathKey(path);
    const server = this.serverErrors[key];
    if (server !== undefined) return server;
    const error = this.view.errors.get(key);
    if (error === undefined) return undefined;
    const section = this.view.sectionOf(key);
    const sectionRevealed = section !== undefined && this.revealed.has(section.id);
    // "required" shows only once the citizen tried to go on: an empty field is not a mistake yet.
    if (!(this.touched.has(key) || sectionRevealed) || (error.code === 'required' && !sectionRevealed)) return undefined;
    return { code: error.code, params: error.params };
  }

  /** Problems that block leaving the section (local validation and the agent's). */
  blocking(section: Section): string[] {
    const ids = setOf(section.fields.map((f) => f.id));
    const local = this.view.sectionErrors(section).map((e) => e.path);
    const server = Object.keys(this.serverErrors).filter((k) => ids.has(topField(k)));
    return [...setOf([...local, ...server])];
  }

  /** Every problem of the visible form (review blocks signing while any remains). */
  get allProblems(): string[] {
    return this.view.visibleSections().flatMap((s) => this.blocking(s));
  }

  reveal(sectionId: string): void {
    this.revealed = setOf([...this.revealed, sectionId]);
  }

  revealAll(): void {
    this.revealed = setOf(this.view.visibleSections().map((s) => s.id));
  }

  /** "Change" on the review page: a skipped section is asked after all. */
  unskip(sectionId: string): void {
    if (this.skipped.has(sectionId)) this.skipped = setOf([...this.skipped].filter((id) => id !== sectionId));
  }

  /** The agent refused some answers (Forms.Submit `invalidAnswers`): they show until changed. */
  takeServerErrors(payload: AnswerErrorsPayload): void {
    const errors: Record<string, FieldProblem> = {};
    for (const e of payload.errors) errors[e.field] = { code: e.code, params: payload.params[e.field] };
    this.serverErrors = errors;
    this.revealAll();
  }
}
