import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";

export const openai = new OpenAI();
export const anthropic = new Anthropic();

export const OCR_MODEL = "gpt-4o-mini";
export const SUMMARY_MODEL = "claude-3-5-haiku-latest";
