// The report and viewer page. Every text from a run file is untrusted: it reaches the page only
// through textContent or as data of Observable Plot (which writes text nodes), never as HTML.
(function () {
  'use strict';

  const LABELS = {
    en: {
      title: 'POLLUX evaluation report',
      overview: 'Overview',
      distributions: 'Distributions',
      disagreements: 'Disagreements',
      problems: 'Unscored & errors',
      judgments: 'Judgments',
      leaderboard: 'Leaderboard',
      model: 'Model',
      micro: 'Micro mean',
      macro: 'Macro mean',
      coverage: 'Coverage',
      answers: 'Answers',
      interval: '95% interval',
      heatmap: 'Criteria × task groups',
      taskGroup: 'Task group',
      criterion: 'Criterion',
      taskType: 'Task type',
      status: 'Status',
      all: 'all',
      agreement: 'Judge against experts',
      judge: 'Judge',
      spearman: 'Spearman ρ',
      mae: 'MAE',
      pairs: 'Pairs',
      meanOverModels: 'Mean over models',
      noExperts: 'No judgment has an expert score: agreement, confusion and disagreements need one.',
      scoreDist: 'Judge scores',
      score: 'Score',
      count: 'Count',
      confusion: 'Judge × expert',
      expert: 'Expert',
      diff: '|judge − expert|',
      reason: 'Reason',
      repeat: 'Repeat',
      open: 'Open',
      prev: 'Previous',
      next: 'Next',
      page: 'Page',
      of: 'of',
      rows: 'rows',
      search: 'Search texts (instruction, answer, rationale, reply)',
      find: 'Search',
      searchStatic: 'Search is available in `pollux view`.',
      instruction: 'Instruction',
      referenceAnswer: 'Reference answer',
      answer: 'Answer',
      rubric: 'Rubric',
      rationale: 'Judge rationale',
      raw: 'Raw reply',
      reasoning: 'Reasoning',
      judgeScore: 'Judge score',
      expertScore: 'Expert score',
      sample: 'Sample',
      close: 'Close',
      noTexts: 'The texts of this judgment are not in this report (`--details` limits them; `pollux view` shows every one).',
      textsAbsent: 'This run file has no texts (made before pollux kept them).',
      none: '—',
      runs: 'Runs',
      requests: 'requests',
      withTexts: 'with texts',
      loading: 'Computing the summary…',
      nothing: 'Nothing matches the filters.',
      gate: 'gate',
      generated: 'Generated',
      statuses: { pending: 'pending', scored: 'scored', unscored: 'unscored', error: 'error' },
      noReference: '(no reference answer)',
    },
    ru: {
      title: 'Отчёт об оценке POLLUX',
      overview: 'Сводка',
      distributions: 'Распределения',
      disagreements: 'Расхождения',
      problems: 'Без оценки и ошибки',
      judgments: 'Оценки',
      leaderboard: 'Рейтинг',
      model: 'Модель',
      micro: 'Микросреднее',
      macro: 'Макросреднее',
      coverage: 'Покрытие',
      answers: 'Ответов',
      interval: '95%-интервал',
      heatmap: 'Критерии × группы задач',
      taskGroup: 'Группа задач',
      criterion: 'Критерий',
      taskType: 'Тип задачи',
      status: 'Статус',
      all: 'все',
      agreement: 'Судья против экспертов',
      judge: 'Судья',
      spearman: 'ρ Спирмена',
      mae: 'MAE',
      pairs: 'Пар',
      meanOverModels: 'Среднее по моделям',
      noExperts: 'Ни у одной оценки нет экспертной: согласие, матрица ошибок и расхождения требуют её.',
      scoreDist: 'Оценки судьи',
      score: 'Оценка',
      count: 'Количество',
      confusion: 'Судья × эксперт',
      expert: 'Эксперт',
      diff: '|судья − эксперт|',
      reason: 'Причина',
      repeat: 'Повтор',
      open: 'Открыть',
      prev: 'Назад',
      next: 'Вперёд',
      page: 'Страница',
      of: 'из',
      rows: 'строк',
      search: 'Поиск по текстам (задание, ответ, обоснование, ответ судьи)',
      find: 'Найти',
      searchStatic: 'Поиск доступен в `pollux view`.',
      instruction: 'Задание',
      referenceAnswer: 'Эталонный ответ',
      answer: 'Ответ',
      rubric: 'Шкала',
      rationale: 'Обоснование судьи',
      raw: 'Ответ судьи целиком',
      reasoning: 'Рассуждение',
      judgeScore: 'Оценка судьи',
      expertScore: 'Оценка эксперта',
      sample: 'Образец',
      close: 'Закрыть',
      noTexts: 'Тексты этой оценки не вошли в отчёт (их число ограничивает `--details`; `pollux view` показывает все).',
      textsAbsent: 'В этом файле прогона нет текстов (он создан до того, как pollux стал их хранить).',
      none: '—',
      runs: 'Прогоны',
      requests: 'запросов',
      withTexts: 'с текстами',
      loading: 'Считаем сводку…',
      nothing: 'Под фильтры ничего не подходит.',
      gate: 'гейт',
      generated: 'Создан',
      statuses: { pending: 'ожидает', scored: 'оценено', unscored: 'без оценки', error: 'ошибка' },
      noReference: '(эталонного ответа нет)',
    },
  };

  const STATUS = ['pending', 'scored', 'unscored', 'error'];
  const PAGE = 50;
  const boot = JSON.parse(document.getElementById('pollux-data').textContent);
  const L = LABELS[boot.lang] || LABELS.ru;

  // ---------- DOM helpers: text only ----------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }
  const fmt = (v, digits = 3) => (v === null || v === undefined || Number.isNaN(v) ? L.none : Number(v).toFixed(digits));
  const num = (v) => (v === null || v === undefined ? L.none : String(Math.round(v * 1000) / 1000));
  const nameOf = (v) => (v === null || v === undefined ? L.none : String(v));
  const ci = (c) => (c && c.defined > 0 ? `[${fmt(c.lo)}, ${fmt(c.hi)}]` : L.none);
  const cov = (c) => (c ? `${c.scored}/${c.total}` : L.none);

  // ---------- data sources: the same questions, answered from the file or from the server ----------
  function staticSource(data) {
    const J = data.judgments;
    const n = J.status.length;
    const texts = data.texts;
    const match = (i, f) =>
      (f.model === '' || J.model[i] === Number(f.model)) &&
      (f.task === '' || J.task[i] === Number(f.task)) &&
      (f.criterion === '' || J.criterion[i] === Number(f.criterion)) &&
      (f.status === '' || J.status[i] === STATUS.indexOf(f.status));
    const row = (i) => ({
      id: String(i),
      model: J.model[i],
      task: J.task[i],
      criterion: J.criterion[i],
      status: STATUS[J.status[i]],
      score: J.score[i],
      human: J.human[i],
      reason: J.reason[i] < 0 ? null : data.dict.reasons[J.reason[i]],
      repeat: J.repeat[i],
    });
    const select = (f, extra) => {
      const out = [];
      for (let i = 0; i < n; i++) if (match(i, f) && (!extra || extra(i))) out.push(i);
      return out;
    };
    const isProblem = (i) => J.status[i] === 2 || J.status[i] === 3;
    const isPair = (i) => J.status[i] === 1 && J.human[i] !== null;
    return {
      canSearch: false,
      summary: async () => data,
      scores: async () => data,
      judgments: async (f, kind, page) => {
        let rows = select(f, kind === 'problems' ? isProblem : kind === 'disagreements' ? isPair : null);
        if (kind === 'disagreements') {
          const gap = (i) => Math.abs(J.score[i] - J.human[i]);
          rows.sort((a, b) => gap(b) - gap(a) || a - b);
        }
        return { total: rows.length, rows: rows.slice(page * PAGE, page * PAGE + PAGE).map(row) };
      },
      detail: async (id) => {
        const i = Number(id);
        const d = data.details[id];
        const t = (k) => (k === null || k === undefined ? null : texts[k]);
        const base = row(i);
        if (!d) return { ...base, texts: false };
        return {
          ...base,
          texts: d.instruction !== null && d.answer !== null,
          sampleId: d.sampleId,
          judgeModel: d.judgeModel,
          instruction: t(d.instruction),
          referenceAnswer: t(d.referenceAnswer),
          answer: t(d.answer),
          rubric: t(d.rubric),
          rationale: t(d.rationale),
          raw: t(d.raw),
          reasoning: t(d.reasoning),
        };
      },
      distribution: async (f) => {
        const counts = new Map();
        for (const i of select(f, (k) => J.status[k] === 1)) {
          const key = `${J.model[i]}\u0000${J.score[i]}`;
          counts.set(key, (counts.get(key) || 0) + 1);
        }
        return [...counts].map(([k, c]) => {
          const [m, s] = k.split('\u0000');
          return { model: Number(m), score: Number(s), n: c };
        });
      },
      confusion: async (f) => {
        const counts = new Map();
        for (const i of select(f, isPair)) {
          const key = `${J.score[i]}\u0000${Math.round(J.human[i] * 100) / 100}`;
          counts.set(key, (counts.get(key) || 0) + 1);
        }
        return [...counts].map(([k, c]) => {
          const [j, h] = k.split('\u0000');
          return { judge: Number(j), human: Number(h), n: c };
        });
      },
    };
  }

  function serverSource() {
    const get = async (path, params) => {
      const query = new URLSearchParams(params || {});
      const response = await fetch(`${path}?${query}`, { headers: { accept: 'application/json' } });
      if (!response.ok && response.status !== 202) throw new Error(`${path}: HTTP ${response.status}`);
      return { status: response.status, body: await response.json() };
    };
    return {
      canSearch: true,
      // The first page never waits for the filter lists (whole-table passes in the server's
      // worker): they fill in when they arrive; the overview's numbers later still.
      pending: { dict: { models: [], tasks: [], criteria: [] }, runs: [], withHuman: null, generatedAt: '', pending: true },
      summary: async () => {
        const d = (await get('/api/dict')).body;
        return { dict: d, runs: d.runs, withHuman: d.withHuman, generatedAt: d.generatedAt };
      },
      count: async (f, kind) => (await get('/api/count', { ...f, kind })).body.total,
      scores: async () => {
        for (;;) {
          const r = await get('/api/summary');
          if (r.status === 200) return r.body;
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      },
      judgments: async (f, kind, page, q) => (await get('/api/judgments', { ...f, kind, page, q: q || '' })).body,
      detail: async (id) => (await get(`/api/judgments/${encodeURIComponent(id)}`)).body,
      distribution: async (f) => (await get('/api/distribution', f)).body,
      confusion: async (f) => (await get('/api/confusion', f)).body,
    };
  }

  const source = boot.mode === 'server' ? serverSource() : staticSource(boot);
  const root = document.getElementById('app');
  const state = { tab: 'overview', filters: { model: '', task: '', criterion: '', status: '' }, page: 0, q: '', summary: null, scores: null, scoresLoading: false };

  function plotOrNothing(make) {
    try {
      return make();
    } catch (err) {
      return el('p', { class: 'error', text: String(err) });
    }
  }

  // ---------- overview ----------
  function leaderboard(s, sc) {
    const models = sc.score.leaderboard;
    const rows = models.filter((m) => state.filters.model === '' || s.dict.models[Number(state.filters.model)] === m.model);
    const hasCI = rows.some((m) => m.microCi);
    const table = el(
      'table',
      { id: 'leaderboard' },
      el('thead', {}, el('tr', {}, el('th', { text: '#' }), el('th', { text: L.model }), el('th', { text: L.micro }), hasCI ? el('th', { text: L.interval }) : null, el('th', { text: L.macro }), el('th', { text: L.coverage }), el('th', { text: L.answers }))),
      el(
        'tbody',
        {},
        ...rows.map((m, i) =>
          el('tr', {}, el('td', { text: String(i + 1) }), el('td', { text: nameOf(m.model) }), el('td', { class: 'num', text: fmt(m.micro) }), hasCI ? el('td', { text: ci(m.microCi) }) : null, el('td', { class: 'num', text: fmt(m.macro) }), el('td', { class: 'num', text: cov(m.coverage) }), el('td', { class: 'num', text: String(m.answers) })),
        ),
      ),
    );
    const chart = plotOrNothing(() =>
      Plot.plot({
        marginLeft: 180,
        height: 40 + rows.length * 28,
        x: { domain: [0, 1], label: L.micro, grid: true },
        y: { label: null },
        marks: [Plot.barX(rows.filter((m) => m.micro !== null), { x: 'micro', y: (m) => nameOf(m.model), fill: '#4c78a8', sort: { y: '-x' }, tip: true }), Plot.ruleX([0])],
      }),
    );
    return el('section', {}, el('h2', { text: L.leaderboard }), table, el('figure', { id: 'leaderboard-chart' }, chart));
  }

  function heatmap(s, sc) {
    const wanted = state.filters.model === '' ? sc.score.matrix : sc.score.matrix.filter((m) => m.model === s.dict.models[Number(state.filters.model)]);
    const section = el('section', {}, el('h2', { text: L.heatmap }));
    for (const m of wanted) {
      const cells = [];
      const names = new Map(s.dict.criteria.map((c) => [c.key, c.name]));
      const picked = state.filters.criterion === '' ? null : s.dict.criteria[Number(state.filters.criterion)];
      for (const row of m.rows) {
        if (picked && picked.key !== row.criterion) continue;
        const label = `${names.get(row.criterion) || row.criterion} (${row.criterion})`;
        for (const c of row.cells) if (c.coverage.total > 0) cells.push({ criterion: label, group: nameOf(c.taskGroup), mean: c.mean, coverage: cov(c.coverage) });
      }
      const chart = plotOrNothing(() =>
        Plot.plot({
          marginLeft: 300,
          marginBottom: 110,
          width: Math.max(640, 300 + 80 * sc.score.taskGroups.length),
          height: 60 + 22 * new Set(cells.map((c) => c.criterion)).size + 90,
          x: { label: L.taskGroup, tickRotate: -30 },
          y: { label: L.criterion },
          color: { type: 'linear', domain: [0, 1], scheme: 'RdYlGn', legend: true, label: L.micro },
          marks: [
            Plot.cell(cells, { x: 'group', y: 'criterion', fill: 'mean', tip: true, title: (d) => `${d.criterion}\n${d.group}\n${fmt(d.mean)} (${d.coverage})` }),
            Plot.text(cells, { x: 'group', y: 'criterion', text: (d) => fmt(d.mean, 2), fontSize: 9 }),
          ],
        }),
      );
      section.append(el('h3', { text: nameOf(m.model) }), el('figure', { class: 'heatmap' }, chart));
    }
    return section;
  }

  function agreement(s, sc) {
    const section = el('section', { id: 'agreement' }, el('h2', { text: L.agreement }));
    if (sc.agreement.length === 0) {
      section.append(el('p', { class: 'muted', text: L.noExperts }));
      return section;
    }
    for (const a of sc.agreement) {
      const body = a.models
        .filter((m) => state.filters.model === '' || s.dict.models[Number(state.filters.model)] === m.model)
        .map((m) => el('tr', {}, el('td', { text: nameOf(m.model) }), el('td', { class: 'num', text: fmt(m.spearman) }), el('td', { text: ci(m.spearmanCI) }), el('td', { class: 'num', text: fmt(m.mae) }), el('td', { text: ci(m.maeCI) }), el('td', { class: 'num', text: `${m.n}/${m.withHuman}` })));
      const mom = a.meanOverModels;
      body.push(el('tr', { class: 'total' }, el('td', { text: L.meanOverModels }), el('td', { class: 'num', text: fmt(mom.spearman) }), el('td', { text: ci(mom.spearmanCI) }), el('td', { class: 'num', text: fmt(mom.mae) }), el('td', { text: ci(mom.maeCI) }), el('td', { class: 'num', text: `${mom.n}/${mom.withHuman}` })));
      section.append(
        el('h3', {}, `${L.judge}: `, el('span', { class: 'judge-name', text: a.judge })),
        el(
          'table',
          { class: 'agreement' },
          el('thead', {}, el('tr', {}, el('th', { text: L.model }), el('th', { text: L.spearman }), el('th', { text: `${Math.round(a.ci * 100)}%` }), el('th', { text: L.mae }), el('th', { text: `${Math.round(a.ci * 100)}%` }), el('th', { text: L.pairs }))),
          el('tbody', {}, ...body),
        ),
      );
    }
    return section;
  }

  function runsList(s) {
    return el(
      'section',
      { id: 'runs' },
      el('h2', { text: L.runs }),
      el(
        'ul',
        {},
        ...s.runs.map((r) =>
          el('li', {}, el('b', { text: r.name }), ` — ${r.requests} ${L.requests}, ${r.requestsWithTexts} ${L.withTexts}; ${L.judge}: `, el('span', { text: r.judgeModels.join(', ') }), r.requestsWithTexts === 0 && r.requests > 0 ? el('span', { class: 'warning', text: ` ${L.textsAbsent}` }) : null),
        ),
      ),
    );
  }

  // ---------- filtered views ----------
  function filterBar(s) {
    const select = (key, label, options) =>
      el(
        'label',
        {},
        `${label} `,
        el(
          'select',
          {
            id: `filter-${key}`,
            onchange: (e) => {
              state.filters[key] = e.target.value;
              state.page = 0;
              render();
            },
          },
          el('option', { value: '', text: L.all }),
          ...options.map(([value, text]) => {
            const o = el('option', { value, text });
            if (state.filters[key] === value) o.selected = true;
            return o;
          }),
        ),
      );
    return el(
      'div',
      { class: 'filters' },
      select('model', L.model, s.dict.models.map((m, i) => [String(i), nameOf(m)])),
      select('task', L.taskType, s.dict.tasks.map((t, i) => [String(i), nameOf(t)])),
      select('criterion', L.criterion, s.dict.criteria.map((c, i) => [String(i), `${c.name} (${c.key})`])),
      select('status', L.status, STATUS.map((st) => [st, L.statuses[st]])),
    );
  }

  async function distributions(s) {
    const data = await source.distribution(state.filters);
    const rows = data.map((d) => ({ ...d, modelName: nameOf(d.modelName !== undefined ? d.modelName : s.dict.models[d.model]) }));
    if (rows.length === 0) return el('section', {}, el('h2', { text: L.scoreDist }), el('p', { class: 'muted', text: L.nothing }));
    const chart = plotOrNothing(() =>
      Plot.plot({
        marginLeft: 60,
        x: { label: L.score, type: 'band' },
        y: { label: L.count, grid: true },
        color: { legend: true, label: L.model },
        marks: [Plot.barY(rows, { x: 'score', y: 'n', fill: 'modelName', tip: true }), Plot.ruleY([0])],
      }),
    );
    return el('section', {}, el('h2', { text: L.scoreDist }), el('figure', { id: 'distribution-chart' }, chart));
  }

  async function confusion() {
    const data = await source.confusion(state.filters);
    if (data.length === 0) return el('section', {}, el('h2', { text: L.confusion }), el('p', { class: 'muted', text: L.nothing }));
    const chart = plotOrNothing(() =>
      Plot.plot({
        marginLeft: 60,
        x: { label: L.expert, type: 'band' },
        y: { label: L.judge, type: 'band', reverse: true },
        color: { scheme: 'Blues', legend: true, label: L.count },
        marks: [Plot.cell(data, { x: 'human', y: 'judge', fill: 'n', tip: true }), Plot.text(data, { x: 'human', y: 'judge', text: 'n' })],
      }),
    );
    return el('section', {}, el('h2', { text: L.confusion }), el('figure', { id: 'confusion-chart' }, chart));
  }

  async function judgmentTable(s, kind) {
    const result = await source.judgments(state.filters, kind, state.page, state.q);
    const section = el('section', { class: 'judgments' });
    if (kind === 'all') {
      if (source.canSearch) {
        const input = el('input', { id: 'search', type: 'search', placeholder: L.search, value: state.q });
        const form = el('form', {
          onsubmit: (e) => {
            e.preventDefault();
            state.q = input.value;
            state.page = 0;
            render();
          },
        }, input, el('button', { type: 'submit', id: 'search-go', text: L.find }));
        section.append(form);
      } else section.append(el('p', { class: 'muted', text: L.searchStatic }));
    }
    if (result.rows.length === 0) {
      section.append(el('p', { class: 'muted', text: L.nothing }));
      return section;
    }
    const head = [L.model, L.taskType, L.criterion, L.status, L.judgeScore, L.expertScore];
    if (kind === 'disagreements') head.push(L.diff);
    if (kind !== 'disagreements') head.push(L.reason);
    head.push('');
    const table = el(
      'table',
      { id: `table-${kind}` },
      el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { text: h })))),
      el(
        'tbody',
        {},
        ...result.rows.map((r) => {
          const crit = r.criterionName !== undefined ? { name: r.criterionName } : s.dict.criteria[r.criterion];
          const cells = [
            el('td', { text: nameOf(r.modelName !== undefined ? r.modelName : s.dict.models[r.model]) }),
            el('td', { text: nameOf(r.taskName !== undefined ? r.taskName : s.dict.tasks[r.task]) }),
            el('td', { text: crit ? crit.name : L.none }),
            el('td', { class: `status-${r.status}`, text: L.statuses[r.status] || r.status }),
            el('td', { class: 'num', text: num(r.score) }),
            el('td', { class: 'num', text: num(r.human) }),
          ];
          if (kind === 'disagreements') cells.push(el('td', { class: 'num', text: num(Math.abs(r.score - r.human)) }));
          else cells.push(el('td', { text: r.reason === null ? '' : r.reason }));
          cells.push(el('td', {}, el('button', { class: 'open', onclick: () => openDetail(s, r.id), text: L.open })));
          return el('tr', { 'data-id': r.id }, ...cells);
        }),
      ),
    );
    section.append(table, pager(result));
    if (result.total === null && !state.q && source.count) {
      // The total costs a pass over the table: asked for after the page is shown.
      const asked = { filters: JSON.stringify(state.filters), page: state.page, tab: state.tab };
      source.count(state.filters, kind).then((total) => {
        if (total === null || asked.filters !== JSON.stringify(state.filters) || asked.page !== state.page || asked.tab !== state.tab) return;
        const fresh = pager({ ...result, total });
        const old = document.querySelector('.pager');
        if (old) old.replaceWith(fresh);
      }, () => undefined);
    }
    return section;
  }

  function pager(result) {
    const pages = result.total === null ? null : Math.max(1, Math.ceil(result.total / PAGE));
    const info = pages === null ? `${L.page} ${state.page + 1}` : `${L.page} ${state.page + 1} ${L.of} ${pages} (${result.total} ${L.rows})`;
    const hasNext = result.more !== undefined ? result.more : pages === null ? result.rows.length === PAGE : state.page + 1 < pages;
    return el(
      'div',
      { class: 'pager' },
      el('button', { id: 'prev', disabled: state.page === 0, onclick: () => { state.page--; render(); }, text: L.prev }),
      el('span', { id: 'page-info', text: info }),
      el('button', { id: 'next', disabled: !hasNext, onclick: () => { state.page++; render(); }, text: L.next }),
    );
  }

  // ---------- the detail panel ----------
  async function openDetail(s, id) {
    const d = await source.detail(id);
    const dialog = document.getElementById('detail');
    const body = dialog.querySelector('.body');
    body.replaceChildren();
    const crit = d.criterionName !== undefined ? { name: d.criterionName, key: d.criterionKey } : s.dict.criteria[d.criterion];
    const field = (label, value, cls) => (value === null || value === undefined ? null : el('div', { class: `field ${cls || ''}` }, el('h4', { text: label }), el('pre', { text: value })));
    body.append(
      el(
        'dl',
        { class: 'facts' },
        el('dt', { text: L.model }), el('dd', { text: nameOf(d.modelName !== undefined ? d.modelName : s.dict.models[d.model]) }),
        el('dt', { text: L.taskType }), el('dd', { text: nameOf(d.taskName !== undefined ? d.taskName : s.dict.tasks[d.task]) }),
        el('dt', { text: L.criterion }), el('dd', { class: 'criterion-name', text: crit ? `${crit.name} (${crit.key})` : L.none }),
        el('dt', { text: L.status }), el('dd', { text: `${L.statuses[d.status] || d.status}${d.reason ? ` — ${d.reason}` : ''}` }),
        el('dt', { text: L.judgeScore }), el('dd', { class: 'judge-score', text: num(d.score) }),
        el('dt', { text: L.expertScore }), el('dd', { class: 'expert-score', text: num(d.human) }),
        d.sampleId ? el('dt', { text: L.sample }) : null, d.sampleId ? el('dd', { text: d.sampleId }) : null,
        d.judgeModel ? el('dt', { text: L.judge }) : null, d.judgeModel ? el('dd', { text: d.judgeModel }) : null,
      ),
    );
    if (d.texts) {
      body.append(
        field(L.instruction, d.instruction, 'instruction'),
        field(L.referenceAnswer, d.referenceAnswer === null ? L.noReference : d.referenceAnswer, 'reference'),
        field(L.answer, d.answer, 'answer'),
        field(L.rubric, d.rubric, 'rubric'),
      );
    } else body.append(el('p', { class: 'warning', text: d.judgeModel ? L.textsAbsent : L.noTexts }));
    body.append(field(L.rationale, d.rationale, 'rationale'), field(L.raw, d.raw, 'raw'), field(L.reasoning, d.reasoning, 'reasoning'));
    dialog.showModal();
  }

  // ---------- page ----------
  const TABS = ['overview', 'distributions', 'disagreements', 'problems', 'judgments'];

  async function render() {
    const s = state.summary;
    const nav = el('nav', {}, ...TABS.map((t) => el('button', { class: t === state.tab ? 'tab active' : 'tab', id: `tab-${t}`, onclick: () => { state.tab = t; state.page = 0; render(); }, text: L[t] })));
    const main = el('main', {});
    const header = el('header', {}, el('h1', { text: L.title }), el('p', { class: 'muted', text: `${L.generated}: ${s.generatedAt}` }));
    const parts = [];
    if (state.tab === 'overview') {
      const sc = state.scores;
      if (sc) parts.push(filterBar(s), leaderboard(s, sc), agreement(s, sc), heatmap(s, sc), runsList(s));
      else {
        parts.push(el('p', { id: 'scores-loading', class: 'muted', text: L.loading }), runsList(s));
        if (!state.scoresLoading) {
          state.scoresLoading = true;
          source.scores().then((scores) => {
            state.scores = scores;
            if (state.tab === 'overview') render();
          });
        }
      }
    }
    else if (state.tab === 'distributions') parts.push(filterBar(s), await distributions(s));
    else if (state.tab === 'disagreements') {
      if (s.withHuman === 0) parts.push(el('p', { class: 'muted', text: L.noExperts }));
      else parts.push(filterBar(s), await confusion(), await judgmentTable(s, 'disagreements'));
    } else if (state.tab === 'problems') parts.push(filterBar(s), await judgmentTable(s, 'problems'));
    else parts.push(filterBar(s), await judgmentTable(s, 'all'));
    main.append(...parts);
    root.replaceChildren(header, nav, main);
    document.body.dataset.ready = state.tab;
  }

  async function start() {
    document.title = L.title;
    document.getElementById('detail-close').textContent = L.close;
    document.getElementById('detail-close').addEventListener('click', () => document.getElementById('detail').close());
    root.replaceChildren(el('p', { class: 'muted', text: L.loading }));
    if (source.pending) {
      state.summary = source.pending;
      source.summary().then((s) => {
        state.summary = s;
        render();
      }, (err) => root.replaceChildren(el('p', { class: 'error', text: String(err && err.message ? err.message : err) })));
    } else state.summary = await source.summary();
    await render();
  }

  start().catch((err) => {
    root.replaceChildren(el('p', { class: 'error', text: String(err && err.message ? err.message : err) }));
  });
})();
