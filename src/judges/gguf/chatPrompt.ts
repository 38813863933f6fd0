/**
 * The POLLUX prompt as ONE user message through the model's own chat template, read from the GGUF
 * (`tokenizer.chat_template`) and rendered as Jinja, the way an OpenAI-compatible server renders it:
 * no system message is added by us (a template that adds its own default one keeps doing so).
 */
import { JudgeError, errorMessage } from '../../core/errors.ts';
import type { LlamaModel, Token } from 'node-llama-cpp';
import type { NodeLlamaCpp } from './runtime.ts';

export interface ChatPrompt {
  /** Prompt text → token ids, ready to evaluate. */
  tokenize(prompt: string): Token[];
  /** The rendered prompt text (special tokens included), for inspection and tests. */
  render(prompt: string): string;
}

export function chatPromptFor(nlc: NodeLlamaCpp, model: LlamaModel, path: string): ChatPrompt {
  const template = model.fileInfo.metadata?.tokenizer?.chat_template;
  if (typeof template !== 'string' || template.trim() === '') {
    throw new JudgeError(
      `the GGUF model ${path} has no chat template (tokenizer.chat_template); a POLLUX judge needs the template it was trained with`,
      'fatal',
      { endpoint: path },
    );
  }
  let wrapper: InstanceType<NodeLlamaCpp['JinjaTemplateChatWrapper']>;
  try {
    // reasoning: null leaves a template's own thinking default alone, as a server would.
    wrapper = new nlc.JinjaTemplateChatWrapper({ template, reasoning: null });
  } catch (err) {
    throw new JudgeError(`cannot use the chat template of ${path}: ${errorMessage(err)}`, 'fatal', { endpoint: path, cause: err });
  }
  const contextText = (prompt: string) =>
    wrapper.generateContextState({ chatHistory: [{ type: 'user', text: prompt }, { type: 'model', response: [] }] }).contextText;
  const bos = model.tokens.bos;
  const chat: ChatPrompt = {
    tokenize(prompt) {
      const tokens = contextText(prompt).tokenize(model.tokenizer);
      // llama.cpp servers add BOS when the vocabulary asks for it and the template did not write it.
      if (model.tokens.shouldPrependBosToken && bos !== null && tokens[0] !== bos) tokens.unshift(bos);
      return tokens;
    },
    render(prompt) {
      return model.detokenize(chat.tokenize(prompt), true);
    },
  };
  try {
    chat.tokenize('probe');
  } catch (err) {
    throw new JudgeError(`cannot render the chat template of ${path}: ${errorMessage(err)}`, 'fatal', { endpoint: path, cause: err });
  }
  return chat;
}
