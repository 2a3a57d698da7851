;;; trigger-lsp.el --- Use the trigger-lsp language server through eglot  -*- lexical-binding: t; -*-

;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: languages, tools
;; URL: see docs/editors.md in the trigger-lsp repository

;;; Commentary:

;; trigger-lsp checks Trigger.dev task files (TypeScript/JavaScript).  This file registers it
;; with eglot (built into Emacs 29+, `elpa-eglot' or GNU ELPA on Emacs 28):
;;
;;   (add-to-list 'load-path "/path/to/trigger-lsp/editors/emacs")
;;   (require 'trigger-lsp)
;;   (add-hook 'typescript-ts-mode-hook #'trigger-lsp-ensure)   ; and tsx-ts-mode, js-mode, ...
;;   (add-hook 'js-json-mode-hook #'trigger-lsp-ensure)         ; package.json (Emacs 29+)
;;
;; `trigger-lsp-ensure' is `eglot-ensure' for Trigger.dev projects only (a trigger.config.*
;; above the file), and among JSON files only for package.json, whose version findings
;; (sdk-version-mismatch) the server reports as `trigger-lsp check' does.  On Emacs 28 a
;; package.json opens in js-mode, so the js-mode hook covers it.  Once eglot runs the server
;; for a project it also manages that project's other buffers of these modes (eglot has no
;; per-file filter); the server checks only package.json among JSON files.
;;
;; `trigger-lsp' must be on `exec-path' (pipx install trigger-lsp), or set
;; `trigger-lsp-command'.  Rule levels and feature toggles go in `trigger-lsp-settings'
;; (sent as initializationOptions when the server starts), e.g.
;;
;;   (setq trigger-lsp-settings
;;         '(:rules (:task-no-logging "off" :parallel-waits "warning")
;;           :features (:hover t :completion t)))
;;
;; Per project, use eglot's own mechanism in .dir-locals.el (the server asks for the
;; "trigger-lsp" section, and these values are layered over `trigger-lsp-settings'):
;;
;;   ((nil . ((eglot-workspace-configuration
;;             . (:trigger-lsp (:rules (:invalid-cron "warning")))))))
;;
;; eglot runs one server per buffer: while this is active, eglot does not also start
;; typescript-language-server for the same modes.

;;; Code:

(require 'eglot)
(require 'cl-lib)

(defgroup trigger-lsp nil
  "Trigger.dev task checks through the trigger-lsp language server."
  :group 'eglot
  :prefix "trigger-lsp-")

(defcustom trigger-lsp-command '("trigger-lsp" "serve")
  "Command that starts the server on stdio."
  :type '(repeat string))

(defcustom trigger-lsp-settings nil
  "Settings for the server, sent as initializationOptions.
A plist with :profile, :rules, :features, :debounceMs and :indexWorkspace.
Rule levels are \"off\", \"on\", \"error\", \"warning\", \"info\" or
\"hint\"; features are t or :json-false."
  :type 'plist)

(defcustom trigger-lsp-major-modes
  '((typescript-ts-mode :language-id "typescript")
    (tsx-ts-mode :language-id "typescriptreact")
    (typescript-mode :language-id "typescript")
    (js-ts-mode :language-id "javascript")
    ;; before js-mode: Emacs 29's js-json-mode derives from it
    (js-json-mode :language-id "json")
    (json-ts-mode :language-id "json")
    (json-mode :language-id "json")
    (js-mode :language-id "javascript")
    (js-jsx-mode :language-id "javascriptreact"))
  "Major modes (with their LSP language ids) in which eglot uses trigger-lsp."
  :type 'sexp)

(defclass trigger-lsp-server (eglot-lsp-server) ()
  :documentation "The trigger-lsp language server.")

(cl-defmethod eglot-initialization-options ((_server trigger-lsp-server))
  "Send `trigger-lsp-settings' as initializationOptions."
  (or trigger-lsp-settings eglot--{}))

(defun trigger-lsp--contact (_interactive)
  "The server program, as eglot expects it."
  (cons 'trigger-lsp-server trigger-lsp-command))

(defun trigger-lsp-setup ()
  "Put trigger-lsp first in `eglot-server-programs' for `trigger-lsp-major-modes'."
  (setq eglot-server-programs
        (cons (cons trigger-lsp-major-modes #'trigger-lsp--contact)
              (cl-remove #'trigger-lsp--contact eglot-server-programs :key #'cdr))))

(defun trigger-lsp-project-find (dir)
  "The project of the nearest directory above DIR with a trigger.config file.
Appended to `project-find-functions', so a version-control root still wins; this
only helps checkouts without one."
  (let ((root (locate-dominating-file
               dir (lambda (d) (directory-files d nil "\\`trigger\\.config\\.[cm]?[jt]s\\'" t)))))
    (and root (cons 'transient (expand-file-name root)))))

(defun trigger-lsp-ensure ()
  "Start eglot with trigger-lsp if this buffer belongs to a Trigger.dev project.
That is, a trigger.config.* is in its directory or above; a JSON file only when
it is a package.json.  Add it to the major-mode hooks instead of `eglot-ensure'."
  (when (and buffer-file-name
             (or (not (string-match-p "\\.json\\'" buffer-file-name))
                 (string= (file-name-nondirectory buffer-file-name) "package.json"))
             (trigger-lsp-project-find (file-name-directory buffer-file-name)))
    (eglot-ensure)))

(trigger-lsp-setup)
(add-hook 'project-find-functions #'trigger-lsp-project-find 90)

(provide 'trigger-lsp)
;;; trigger-lsp.el ends here
