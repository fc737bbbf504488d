// Grade a SurveyJS quiz in survey-core (no DOM), the way a SurveyJS page would.
//
//   node grade.mjs SURVEY.json ANSWERS.json
//
// ANSWERS.json maps question names to values (what SurveyJS stores in `survey.data`).
// Prints one JSON object: the quiz counts SurveyJS computes, per-question results, the
// completed page's HTML and `jsonErrors` (unknown properties or types; must be empty).
import { readFileSync } from "node:fs";
import { Model } from "survey-core";

const [surveyPath, answersPath] = process.argv.slice(2);
if (!surveyPath || !answersPath) {
  console.error("usage: node grade.mjs SURVEY.json ANSWERS.json");
  process.exit(2);
}
const json = JSON.parse(readFileSync(surveyPath, "utf8"));
const answers = JSON.parse(readFileSync(answersPath, "utf8"));
const survey = new Model(json);
survey.data = answers;
const questions = {};
for (const q of survey.getAllQuestions()) {
  if (!q.hasInput) continue;
  questions[q.name] = {
    type: q.getType(),
    quizQuestions: q.quizQuestionCount,
    correctAnswers: q.correctAnswerCount,
    isAnswerCorrect: q.quizQuestionCount > 0 ? q.isAnswerCorrect() : null,
    // SurveyJS renders a title as markup only when `hasHtml` (a markdown hook ran)
    title: q.locTitle.renderedHtml,
    titleHasHtml: q.locTitle.hasHtml,
    choicesHaveHtml: (q.choices || []).some((c) => c.locText.hasHtml),
  };
}
const result = {
  surveyCoreVersion: JSON.parse(
    readFileSync(new URL("./node_modules/survey-core/package.json", import.meta.url), "utf8"),
  ).version,
  pageCount: survey.pageCount,
  questionCount: survey.getQuizQuestionCount(),
  correctAnswers: survey.getCorrectAnswerCount(),
  incorrectAnswers: survey.getIncorrectAnswerCount(),
  jsonErrors: (survey.jsonErrors || []).map((e) => e.message),
  questions,
};
survey.doComplete();
result.state = survey.state;
result.completedHtml = survey.processedCompletedHtml;
console.log(JSON.stringify(result));
